import FileSystem
import Image

/// Walks the headers of one tar shard with pread, never reading member data, and returns
/// its TarIndex. Understood: ustar and GNU headers, pax extended headers (`path` and
/// `size`, per member and global), GNU long names (`L`), base-256 sizes. A member is a
/// photo by its name (ImageFileName.isImage); other members (.cls, .json, .txt,
/// directories, links) are skipped. What stops the walk becomes the index's last entry:
/// a header with a bad checksum (corruptShard, naming its byte offset), a member or a
/// header cut by the end of the file (truncatedShard). A file whose first header does not
/// parse is not a tar (notATar); a shard without one photo member is one emptyFile row,
/// so every shard listed shows up in results.csv.
enum TarScanner {
    /// pax and GNU long-name data above this size is refused (a damaged size field must not allocate gigabytes).
    static let maxExtensionSize: Int64 = 1 << 20

    static func scan(_ path: RawPath) -> TarIndex {
        let file: FileDescriptor
        do throws(Errno) {
            file = try path.open(.readOnly, options: .nonBlocking)
        } catch {
            return TarIndex(entries: [.badShard(reason: error == .noSuchFileOrDirectory ? .notFound : .unreadable,
                                                message: error == .noSuchFileOrDirectory ? "file not found" : "cannot read file: \(error)")])
        }
        defer { try? file.close() }
        let info: Stat
        do throws(Errno) { info = try file.stat() } catch {
            return TarIndex(entries: [.badShard(reason: .unreadable, message: "cannot read file: \(error)")])
        }
        if info.type == .directory { return TarIndex(entries: [.badShard(reason: .directory, message: "is a directory, not a file")]) }
        if info.type != .regular { return TarIndex(entries: [.badShard(reason: .unreadable, message: "cannot read file: not a regular file")]) }
        return scan(file, size: Int64(info.size))
    }

    /// The walk over an open shard of `size` bytes.
    static func scan(_ file: FileDescriptor, size: Int64) -> TarIndex {
        var index = TarIndex()
        var walk = Walk(file: file, size: size)
        walk.run(into: &index)
        if index.entries.isEmpty {
            let n = index.memberCount
            let what = size == 0 ? "0 bytes" : n == 0 ? "no members" : "\(n) member\(n == 1 ? "" : "s"), none a photo"
            index.entries.append(.badShard(reason: .emptyFile, message: "empty tar shard (\(what))"))
        }
        return index
    }

    private struct Walk {
        let file: FileDescriptor
        let size: Int64
        var offset: Int64 = 0
        var global = PaxRecords()
        var local: PaxRecords? = nil
        var longName: [UInt8]? = nil
        var block = [UInt8](repeating: 0, count: TarHeader.blockSize)

        init(file: FileDescriptor, size: Int64) { self.file = file; self.size = size }

        mutating func run(into index: inout TarIndex) {
            while true {
                if offset >= size { return }   // no end-of-archive blocks: tolerated, as tar and Python do
                let available = Int(min(Int64(TarHeader.blockSize), size - offset))
                guard let read = readBlock(at: offset), read == available else {
                    index.entries.append(.badShard(reason: .unreadable, message: "cannot read the tar header at byte \(offset)"))
                    return
                }
                let partial = available < TarHeader.blockSize
                let zero = block[0..<available].allSatisfy { $0 == 0 }
                if zero { return }   // the end-of-archive marker (or what the cut left of it)
                if partial {
                    index.entries.append(offset == 0 ? .badShard(reason: .notATar, message: "not a tar archive (\(size) bytes, shorter than one header)")
                                                     : .badShard(reason: .truncatedShard, message: "tar shard cut inside the header at byte \(offset)"))
                    return
                }
                let parsed = block.withUnsafeBytes { raw in Result { () throws(TarHeader.ParseError) in try TarHeader(raw) } }
                let header: TarHeader
                do throws(TarHeader.ParseError) { header = try parsed.get() } catch {
                    index.entries.append(offset == 0 && index.memberCount == 0
                        ? .badShard(reason: .notATar, message: "not a tar archive (\(error))")
                        : .badShard(reason: .corruptShard, message: "corrupt tar header at byte \(offset): \(error); the rest of the shard is not read"))
                    return
                }
                guard step(header, into: &index) else { return }
            }
        }

        /// Handles one header and moves past its data; false when the walk must stop.
        mutating func step(_ header: TarHeader, into index: inout TarIndex) -> Bool {
            let headerOffset = offset
            var dataOffset = offset + Int64(TarHeader.blockSize)
            switch header.type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"):
                guard let data = extensionData(header, at: dataOffset, headerOffset: headerOffset, into: &index) else { return false }
                if header.type == UInt8(ascii: "L") {
                    longName = Array(data.prefix { $0 != 0 })
                } else {
                    do throws(PaxRecords.ParseError) {
                        let records = try PaxRecords(data)
                        if header.type == UInt8(ascii: "g") { global = global.overridden(by: records) } else { local = records }
                    } catch {
                        index.entries.append(.badShard(reason: .corruptShard, message: "corrupt pax header at byte \(headerOffset): \(error); the rest of the shard is not read"))
                        return false
                    }
                }
                return advance(past: dataOffset, header.size, headerOffset: headerOffset, into: &index)
            case UInt8(ascii: "K"), UInt8(ascii: "V"):
                // A GNU long link target, a volume label: nothing a photo needs.
                return advance(past: dataOffset, header.type == UInt8(ascii: "K") ? header.size : 0, headerOffset: headerOffset, into: &index)
            default:
                break
            }
            // A member: the name and size its extension headers give it, if any.
            let pax = local.map { global.overridden(by: $0) } ?? global
            let name = pax.path ?? longName ?? header.name
            let size = pax.size ?? header.size
            local = nil
            longName = nil
            index.memberCount += 1
            let isFile = header.type == UInt8(ascii: "0") || header.type == 0 || header.type == UInt8(ascii: "7")
            let isSparse = header.type == UInt8(ascii: "S") || pax.isSparse
            if header.isExtendedSparse {
                // Old GNU sparse: extension blocks, each saying whether another follows, come before the data.
                while true {
                    guard dataOffset + Int64(TarHeader.blockSize) <= self.size, readBlock(at: dataOffset) == TarHeader.blockSize else {
                        index.entries.append(.badShard(reason: .truncatedShard, message: "tar shard cut inside the sparse map at byte \(dataOffset)"))
                        return false
                    }
                    dataOffset += Int64(TarHeader.blockSize)
                    if block[504] == 0 { break }
                }
            }
            let isPhoto = (isFile || isSparse) && ImageFileName.isImage(name)
            if isPhoto && isSparse {
                index.entries.append(.badMember(name: name, reason: .unreadable, message: "cannot read file: a GNU sparse tar member (not supported)"))
            } else if isPhoto && dataOffset + size > self.size {
                index.entries.append(.badMember(name: name, reason: .truncatedShard,
                                                message: "tar member cut by the end of the shard: \(size) bytes from byte \(dataOffset), the shard has \(self.size)"))
                return false
            } else if isPhoto {
                index.entries.append(.member(TarIndex.Member(name: name, dataOffset: dataOffset, size: size)))
            }
            // Links, directories and devices have no data, whatever their size field says.
            let hasData = isFile || isSparse || !(UInt8(ascii: "1")...UInt8(ascii: "6")).contains(header.type)
            return advance(past: dataOffset, hasData ? size : 0, headerOffset: headerOffset, into: &index, member: name)
        }

        /// Moves to the header after `count` data bytes at `dataOffset` (padded to a block).
        mutating func advance(past dataOffset: Int64, _ count: Int64, headerOffset: Int64, into index: inout TarIndex, member: [UInt8]? = nil) -> Bool {
            let blocks = (count + Int64(TarHeader.blockSize) - 1) / Int64(TarHeader.blockSize)
            guard dataOffset + count <= size else {
                let what = member.map { "member \(RawPath(bytes: $0).displayText)" } ?? "the extension header at byte \(headerOffset)"
                index.entries.append(.badShard(reason: .truncatedShard, message: "tar shard cut inside \(what) (needs \(dataOffset + count) bytes, has \(size))"))
                return false
            }
            offset = dataOffset + blocks * Int64(TarHeader.blockSize)
            return true
        }

        /// The data of a pax or GNU long-name header, or nil (with the row added) when it cannot be had.
        mutating func extensionData(_ header: TarHeader, at dataOffset: Int64, headerOffset: Int64, into index: inout TarIndex) -> [UInt8]? {
            guard header.size <= TarScanner.maxExtensionSize else {
                index.entries.append(.badShard(reason: .corruptShard, message: "corrupt tar header at byte \(headerOffset): an extension header of \(header.size) bytes; the rest of the shard is not read"))
                return nil
            }
            guard dataOffset + header.size <= size else {
                index.entries.append(.badShard(reason: .truncatedShard, message: "tar shard cut inside the extension header at byte \(headerOffset)"))
                return nil
            }
            var data = [UInt8](repeating: 0, count: Int(header.size))
            guard (try? file.read(into: &data, count: data.count, at: Int(dataOffset))) == data.count else {
                index.entries.append(.badShard(reason: .unreadable, message: "cannot read the extension header at byte \(headerOffset)"))
                return nil
            }
            return data
        }

        /// Reads up to one block at `at` into `block`; the count read, nil on an error.
        mutating func readBlock(at: Int64) -> Int? {
            try? file.read(into: &block, count: TarHeader.blockSize, at: Int(at))
        }
    }
}
