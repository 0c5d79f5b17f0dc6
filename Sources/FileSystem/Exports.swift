// swift-system's typed file API (FileDescriptor, Errno, Stat, FileType) comes with this module,
// so `import FileSystem` is the one import for file access.
@_exported import SystemPackage
