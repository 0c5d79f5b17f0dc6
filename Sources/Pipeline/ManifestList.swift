import FileSystem


/// A manifest file: either CSV with a header naming a `path` column (or `file`,
/// `filename`, `image`) and optionally a `label` column, or plain text with one path per
/// line. Empty lines are skipped.
/// Relative paths are resolved against the manifest's folder.
final class ManifestList: InputList {
    let path: RawPath
    let count: Int
    let hasLabels: Bool
    private let isCSV: Bool
    private let pathColumn: Int
    private let labelColumn: Int?
    private let dataStart: Int
    private let folder: RawPath
    /// Byte offset of every `stride`-th item's record.
    private var checkpoints: [Int] = []
    private let stride = 1024
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
        var checkpoints: [Int] = []
        while true {
            let start = reader.offset
            guard let record = try reader.next() else { break }
            guard ManifestList.item(from: record, pathColumn: pathColumn, labelColumn: labelColumn) != nil else { continue }
            if n % stride == 0 { checkpoints.append(start) }
            n += 1
        }
        count = n
        self.checkpoints = checkpoints
    }

    func items(_ range: Range<Int>) throws -> [InputItem] {
        guard !range.isEmpty else { return [] }
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        let first = range.lowerBound / stride
        var reader = RecordReader(reader: try ByteReader(path: path, offset: checkpoints[first]), quoted: isCSV)
        var index = first * stride
        var result: [InputItem] = []
        result.reserveCapacity(range.count)
        while index < range.upperBound, let record = try reader.next() {
            guard let item = ManifestList.item(from: record, pathColumn: pathColumn, labelColumn: labelColumn) else { continue }
            if index >= range.lowerBound { result.append(item) }
            index += 1
        }
        guard result.count == range.count else { throw PipelineError("\(path.displayText) changed while it was being read") }
        return result
    }

    func location(of item: InputItem) -> RawPath {
        item.path.isAbsolute ? item.path : folder.appending(item.path)
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
