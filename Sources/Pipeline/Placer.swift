import FileSystem
import Image

/// Puts each classified photo in `<output>/<label>/`, in input order, on rank 0.
/// The name is the photo's own file name (never a path: `../../x.jpg` becomes `x.jpg`);
/// the k-th photo with the same name in the same class gets `name~k.ext`, so the result is
/// the same for any number of ranks. Nothing is overwritten: a name that is taken by a
/// different file moves on to the next suffix; one taken by this very photo (an earlier,
/// interrupted placement) counts as done. A tar member is placed under its member's file
/// name by copying its bytes out of the shard, whatever the mode (a link or symlink cannot
/// point into a tar).
final class Placer {
    let mode: PlaceMode
    let directory: RawPath
    let classes: [String]
    private var occurrences: [Int: [[UInt8]: Int]] = [:]
    private(set) var placed = 0
    private(set) var failures: [String] = []
    private let members = MemberReader()

    init(mode: PlaceMode, directory: RawPath, classes: [String]) throws {
        self.mode = mode
        self.directory = directory
        self.classes = classes
        if mode != .none {
            for name in classes { try FileIO.makeDirectories(directory.appending(RawPath(name))) }
        }
    }

    func place(_ input: InputSource, classIndex: Int) {
        guard mode != .none else { return }
        switch input {
        case .file(let path): place(path, classIndex: classIndex)
        case .member(let shard, let offset, let size, let name):
            place(name, describedAs: "\(shard.displayText) (member \(name.displayText))", classIndex: classIndex) { target in
                self.extract(shard: shard, offset: offset, size: size, to: target)
            }
        case .unreadable: return
        }
    }

    func place(_ source: RawPath, classIndex: Int) {
        place(source.lastComponent, describedAs: source.displayText, classIndex: classIndex) { self.put(source, at: $0) }
    }

    /// Tries `put` on `name`, then `name~1`, ... in the class folder until one is done or fails.
    private func place(_ fileName: RawPath, describedAs description: String, classIndex: Int, put: (RawPath) -> Attempt) {
        let name = Placer.safeName(fileName.bytes)
        let folder = directory.appending(RawPath(classes[classIndex]))
        var k = occurrences[classIndex, default: [:]][name, default: 0]
        while true {
            let target = folder.appending(RawPath(bytes: Placer.suffixed(name, k)))
            switch put(target) {
            case .done:
                occurrences[classIndex, default: [:]][name] = k + 1
                placed += 1
                return
            case .taken:
                k += 1
            case .failed(let why):
                failures.append("\(description): \(why)")
                occurrences[classIndex, default: [:]][name] = k + 1
                return
            }
        }
    }

    private enum Attempt { case done, taken, failed(String) }

    private func put(_ source: RawPath, at target: RawPath) -> Attempt {
        if target.exists { return Placer.isSame(source, target, mode: mode) ? .done : .taken }
        switch mode {
        case .link:
            do throws(Errno) {
                try source.link(at: target)
                return .done
            } catch {
                return error == .fileExists ? .taken : copy(source, to: target)
            }
        case .copy:
            return copy(source, to: target)
        case .symlink:
            do throws(Errno) {
                try Placer.absolute(source).symlink(at: target)
                return .done
            } catch {
                return error == .fileExists ? .taken : .failed("symlink: \(error)")
            }
        case .none:
            return .done
        }
    }

    /// Writes a member's bytes to `target` (a new file), or finds it there already.
    private func extract(shard: RawPath, offset: Int64, size: Int64, to target: RawPath) -> Attempt {
        do throws(ImageError) { try members.read(shard: shard, offset: offset, size: size) } catch {
            return .failed("cannot read the member: \(error)")
        }
        let bytes = Array(members.buffer[0..<Int(size)])
        if target.exists {
            var existing: [UInt8] = []
            guard let n = try? ImageFile.read(target, into: &existing), n == bytes.count, Array(existing[0..<n]) == bytes else { return .taken }
            return .done
        }
        let output: FileDescriptor
        do throws(Errno) {
            output = try target.open(.writeOnly, options: [.create, .exclusiveCreate], permissions: FilePermissions(rawValue: 0o644))
        } catch {
            return error == .fileExists ? .taken : .failed("cannot create \(target.displayText): \(error)")
        }
        defer { try? output.close() }
        do { try FileIO.writeAll(output, bytes, path: target) } catch { return .failed("\(error)") }
        return .done
    }

    private func copy(_ source: RawPath, to target: RawPath) -> Attempt {
        let input: FileDescriptor, output: FileDescriptor
        do throws(Errno) { input = try source.open(.readOnly) } catch { return .failed("cannot read for copying: \(error)") }
        defer { try? input.close() }
        do throws(Errno) {
            output = try target.open(.writeOnly, options: [.create, .exclusiveCreate], permissions: FilePermissions(rawValue: 0o644))
        } catch {
            return error == .fileExists ? .taken : .failed("cannot create \(target.displayText): \(error)")
        }
        defer { try? output.close() }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int
            switch Result(catching: { () throws(Errno) in try input.read(into: &buffer, count: buffer.count) }) {
            case .failure(let error): return .failed("copy: \(error)")
            case .success(let count): n = count
            }
            if n == 0 { return .done }
            do { try FileIO.writeAll(output, Array(buffer[0..<n]), path: target) } catch { return .failed("\(error)") }
            if n < buffer.count { return .done }
        }
    }

    /// True when `target` already is this photo: the same inode, a link to it, or an equal copy.
    static func isSame(_ source: RawPath, _ target: RawPath, mode: PlaceMode) -> Bool {
        guard let a = try? source.status(), let b = try? target.status() else { return false }
        if a.deviceID == b.deviceID && a.inode == b.inode { return true }
        guard mode == .copy || mode == .link, a.size == b.size else { return false }
        return contents(source) == contents(target)
    }

    private static func contents(_ path: RawPath) -> [UInt8]? {
        var bytes: [UInt8] = []
        do { let n = try ImageFile.read(path, into: &bytes); return Array(bytes[0..<n]) } catch { return nil }
    }

    /// The file name only, never `.`, `..` or empty.
    static func safeName(_ name: [UInt8]) -> [UInt8] {
        if name.isEmpty || name == [46] || name == [46, 46] { return Array("_".utf8) }
        return name
    }

    /// `name` for k = 0, else `stem~k.ext`, the stem shortened if the name would pass the
    /// file system's 255-byte limit.
    static func suffixed(_ name: [UInt8], _ k: Int) -> [UInt8] {
        guard k > 0 else { return name }
        let suffix = Array("~\(k)".utf8)
        let dot = name.lastIndex(of: 46).flatMap { $0 > 0 ? $0 : nil } ?? name.count
        var stem = Array(name[..<dot])
        let ext = Array(name[dot...])
        let room = 255 - suffix.count - ext.count
        if stem.count > room { stem = Array(stem.prefix(max(room, 1))) }
        return stem + suffix + ext
    }

    static func absolute(_ path: RawPath) -> RawPath {
        if path.isAbsolute { return path }
        return RawPath.currentDirectory()?.appending(path) ?? path
    }
}
