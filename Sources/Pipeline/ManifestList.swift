import FileSystem


/// A manifest file: either CSV with a header naming a `path` column (or `file`,
/// `filename`, `image`) and optionally a `label` column, or plain text with one path per
/// line. Empty lines are skipped.
/// Relative paths are resolved against the manifest's folder. A line naming a `.tar`
/// file stands for that shard's photo members (ShardItems), each with the line's label.
final class ManifestList: InputList {
    let path: RawPath
    let count: Int
    let hasLabels: Bool
    private let isCSV: Bool
    private let pathColumn: Int
    private let labelColumn: Int?
    private let dataStart: Int
    private let folder: RawPath
    /// Where reading back may start: the byte offset of a record and the index of its first
    /// item, for the record holding every `stride`-th item (a shard's record holds many).
    private var checkpoints: [(offset: Int, firstItem: Int)] = []
    private let stride = 1024
    /// The items of the shard records read last (keyed by byte offset, most recent first):
    /// batches that fall in one shard, and rank 0's results of other ranks' shards, do not
    /// walk their headers again.
    private var recentShards: [(offset: Int, items: [InputItem])] = []
    private let recentShardLimit = 4
    static let pathColumnNames = ["path", "file", "filename", "image"]

    init(path: RawPath) throws {
        self.path = path
        folder = path.parent
        // A byte-order mark (some editors write one) is skipped once, before anything is read.
        let bytesStart = try ManifestList.byteOrderMarkLength(path)
        // The header decides the format: a CSV header has a field named exactly `path`.
        var probe = RecordReader(reader: try ByteReader(path: path, offset: bytesStart), quoted: true)
        let header = try probe.next()?.map { String(decoding: $0, as: UTF8.self).trimmingSpaces } ?? []
        if let column = ManifestList.pathColumnNames.lazy.compactMap({ header.firstIndex(of: $0) }).first {
            isCSV = true
            pathColumn = column
            labelColumn = header.firstIndex(of: "label")
            dataStart = probe.offset
        } else if path.bytes.map({ (65...90).contains($0) ? $0 + 32 : $0 }).ends(with: Array(".csv".utf8)) {
            throw PipelineError("\(path.displayText): a CSV manifest needs a header with a 'path' column")
        } else {
            isCSV = false
            pathColumn = 0
            labelColumn = nil
            dataStart = bytesStart
        }
        hasLabels = labelColumn != nil
        // One pass to count the items and remember where every 1,024th one starts.
        var reader = RecordReader(reader: try ByteReader(path: path, offset: dataStart), quoted: isCSV)
        var n = 0
        var checkpoints: [(offset: Int, firstItem: Int)] = []
        while true {
            let start = reader.offset
            guard let record = try reader.next() else { break }
            guard let item = ManifestList.item(from: record, pathColumn: pathColumn, labelColumn: labelColumn) else { continue }
            let itemCount = ImageFileName.isShard(item.path.bytes) ? ManifestList.expand(item, folder: folder).count : 1
            if checkpoints.isEmpty || n + itemCount > checkpoints.last!.firstItem + stride { checkpoints.append((start, n)) }
            n += itemCount
        }
        count = n
        self.checkpoints = checkpoints
    }

    func items(_ range: Range<Int>) throws -> [InputItem] {
        guard !range.isEmpty else { return [] }
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        // The last checkpoint at or before the range's first item.
        var low = 0, high = checkpoints.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if checkpoints[middle].firstItem <= range.lowerBound { low = middle } else { high = middle - 1 }
        }
        var reader = RecordReader(reader: try ByteReader(path: path, offset: checkpoints[low].offset), quoted: isCSV)
        var index = checkpoints[low].firstItem
        var result: [InputItem] = []
        result.reserveCapacity(range.count)
        while index < range.upperBound {
            let start = reader.offset
            guard let record = try reader.next() else { break }
            guard let item = ManifestList.item(from: record, pathColumn: pathColumn, labelColumn: labelColumn) else { continue }
            if ImageFileName.isShard(item.path.bytes) {
                let members = shardItems(item, recordOffset: start)
                let low = min(max(range.lowerBound - index, 0), members.count)
                let high = max(min(range.upperBound - index, members.count), low)
                result += members[low..<high]
                index += members.count
            } else {
                if index >= range.lowerBound { result.append(item) }
                index += 1
            }
        }
        guard result.count == range.count else { throw PipelineError("\(path.displayText) changed while it was being read") }
        return result
    }

    func location(of listed: RawPath) -> RawPath {
        ManifestList.resolve(listed, folder: folder)
    }

    /// A shard record's items, from the recent ones or scanned now.
    private func shardItems(_ shard: InputItem, recordOffset: Int) -> [InputItem] {
        if let k = recentShards.firstIndex(where: { $0.offset == recordOffset }) {
            let entry = recentShards.remove(at: k)
            recentShards.insert(entry, at: 0)
            return entry.items
        }
        let items = ManifestList.expand(shard, folder: folder)
        recentShards.insert((recordOffset, items), at: 0)
        if recentShards.count > recentShardLimit { recentShards.removeLast() }
        return items
    }

    private static func resolve(_ listed: RawPath, folder: RawPath) -> RawPath {
        listed.isAbsolute ? listed : folder.appending(listed)
    }

    /// The items of a shard's record: its members, each with the record's label.
    private static func expand(_ shard: InputItem, folder: RawPath) -> [InputItem] {
        ShardItems.items(shard: shard.path, at: resolve(shard.path, folder: folder), label: shard.label)
    }

    private static func item(from record: [[UInt8]], pathColumn: Int, labelColumn: Int?) -> InputItem? {
        guard pathColumn < record.count, !record[pathColumn].isEmpty else { return nil }
        var label: String? = nil
        if let labelColumn, labelColumn < record.count, !record[labelColumn].isEmpty {
            label = String(decoding: record[labelColumn], as: UTF8.self).trimmingSpaces
        }
        return InputItem(path: RawPath(bytes: record[pathColumn]), label: label)
    }

    /// 3 when the file starts with a UTF-8 byte-order mark, else 0.
    private static func byteOrderMarkLength(_ path: RawPath) throws -> Int {
        let reader = try ByteReader(path: path)
        for byte: UInt8 in [0xEF, 0xBB, 0xBF] {
            guard try reader.next() == byte else { return 0 }
        }
        return 3
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
