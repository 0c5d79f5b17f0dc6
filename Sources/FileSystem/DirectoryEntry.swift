/// One name in a directory listing, with the type the directory records for it.
public struct DirectoryEntry: Equatable, Sendable {
    /// The name's bytes (not necessarily UTF-8).
    public var name: [UInt8]
    /// nil when the file system does not say (DT_UNKNOWN); then `stat` tells.
    public var type: FileType?
}
