#if canImport(Glibc)
import Glibc
#endif
import Image

/// Rank 0's results file. Rows are appended and flushed as they arrive (in the order ranks
/// finish them), each followed by its entry in the sidecar index; `finish` rewrites
/// results.csv in input order. A run killed at any point leaves complete rows and an index
/// that `--resume` trusts only as far as the rows really reach.
final class ResultsWriter {
    static let header = "path,label,score,raw,status,error\n"

    let directory: RawPath
    let csvPath: RawPath
    let indexPath: RawPath
    private let list: InputList
    private let classifier: Classifier
    private let fingerprint: UInt64
    private var csv: Int32
    private var index: Int32
    private var csvSize: Int
    /// Inputs already in results.csv, from an earlier run (--resume) or this one.
    private(set) var done: DoneSet
    private(set) var resumedCount = 0

    init(directory: RawPath, list: InputList, classifier: Classifier, resume: Bool) throws {
        self.directory = directory
        self.list = list
        self.classifier = classifier
        csvPath = directory.appending(RawPath("results.csv"))
        indexPath = directory.appending(RawPath(".results.index"))
        try FileIO.makeDirectories(directory)
        fingerprint = try ResultIndex.fingerprint(of: list)
        done = DoneSet(count: list.count)
        var kept: [ResultIndex.Entry] = []
        var end = ResultsWriter.header.utf8.count
        if resume, let entries = try ResultIndex.read(indexPath, count: list.count, fingerprint: fingerprint) {
            let fd = try FileIO.open(csvPath, O_RDONLY)
            let size = FileIO.fileSize(fd)
            close(fd)
            // Trust an entry only if its row is wholly in the file and its input is new.
            for entry in entries where Int(entry.offset) + Int(entry.length) <= size && (0..<list.count).contains(Int(entry.index))
                && !done.contains(Int(entry.index)) {
                kept.append(entry)
                done.insert(Int(entry.index))
                end = max(end, Int(entry.offset) + Int(entry.length))
            }
            resumedCount = kept.count
        } else if resume && FileIO.exists(csvPath) {
            throw PipelineError("--resume: \(csvPath.displayText) exists but \(indexPath.displayText) is missing or belongs to another input list; remove --resume to start over")
        }
        if kept.isEmpty {
            csv = try FileIO.open(csvPath, O_WRONLY | O_CREAT | O_TRUNC)
            try FileIO.writeAll(csv, Array(ResultsWriter.header.utf8), path: csvPath)
        } else {
            csv = try FileIO.open(csvPath, O_WRONLY)
            ftruncate(csv, off_t(end))   // drop a partly written last row
        }
        csvSize = end
        lseek(csv, off_t(end), SEEK_SET)
        index = try FileIO.open(indexPath, O_WRONLY | O_CREAT | O_TRUNC)
        try FileIO.writeAll(index, ResultIndex.header(count: list.count, fingerprint: fingerprint) + ResultIndex.encode(kept), path: indexPath)
    }

    deinit {
        close(csv)
        close(index)
    }

    /// Appends one row per outcome, then their index entries.
    func append(_ outcomes: [Outcome]) throws {
        guard !outcomes.isEmpty else { return }
        var rows: [UInt8] = []
        var entries: [ResultIndex.Entry] = []
        for run in consecutiveRuns(outcomes) {
            let items = try list.items(run.first!.index..<(run.last!.index + 1))
            for (outcome, item) in zip(run, items) {
                let (row, code) = format(outcome, item)
                entries.append(ResultIndex.Entry(index: Int64(outcome.index), offset: Int64(csvSize + rows.count),
                                                 length: Int32(row.count), code: code))
                rows += row
                done.insert(outcome.index)
            }
        }
        try FileIO.writeAll(csv, rows, path: csvPath)
        csvSize += rows.count
        try FileIO.writeAll(index, ResultIndex.encode(entries), path: indexPath)
    }

    /// The row for one outcome and its index code.
    func format(_ outcome: Outcome, _ item: InputItem) -> ([UInt8], Int32) {
        let path = item.path.displayText
        if let failure = outcome.failure {
            return (Array(CSV.row([path, "", "", "", "error", failure.message]).utf8), FailureReasons.code(of: failure.reason))
        }
        let (classIndex, score) = classifier.classify(outcome.outputs[...])
        let raw = outcome.outputs.map { "\($0)" }.joined(separator: ";")
        return (Array(CSV.row([path, classifier.classes[classIndex], "\(score)", raw, "ok", ""]).utf8), Int32(classIndex))
    }

    /// Rewrites results.csv in input order and returns every input's code, in order.
    func finish() throws -> [Int32] {
        let entries = try ResultIndex.read(indexPath, count: list.count, fingerprint: fingerprint) ?? []
        var ordered = [ResultIndex.Entry?](repeating: nil, count: list.count)
        for entry in entries { ordered[Int(entry.index)] = entry }
        let missing = ordered.firstIndex { $0 == nil }
        if let missing { throw PipelineError("internal error: no result for input \(missing)") }

        let source = try FileIO.open(csvPath, O_RDONLY)
        defer { close(source) }
        let temporaryPath = directory.appending(RawPath(".results.csv.tmp"))
        let target = try FileIO.open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(target) }
        var rewritten: [ResultIndex.Entry] = []
        var buffer = Array(ResultsWriter.header.utf8)
        var offset = buffer.count
        for case let entry? in ordered {
            buffer += try FileIO.readAt(source, offset: Int(entry.offset), count: Int(entry.length), path: csvPath)
            rewritten.append(ResultIndex.Entry(index: entry.index, offset: Int64(offset), length: entry.length, code: entry.code))
            offset += Int(entry.length)
            if buffer.count > 1 << 20 { try FileIO.writeAll(target, buffer, path: temporaryPath); buffer.removeAll(keepingCapacity: true) }
        }
        try FileIO.writeAll(target, buffer, path: temporaryPath)
        try FileIO.rename(temporaryPath, csvPath)
        // The index now describes the ordered file, so a later --resume still works.
        let indexFile = try FileIO.open(indexPath, O_WRONLY | O_TRUNC)
        defer { close(indexFile) }
        try FileIO.writeAll(indexFile, ResultIndex.header(count: list.count, fingerprint: fingerprint) + ResultIndex.encode(rewritten), path: indexPath)
        return rewritten.map(\.code)
    }

    /// Splits outcomes into runs of consecutive input indices (one list read per run).
    private func consecutiveRuns(_ outcomes: [Outcome]) -> [[Outcome]] {
        var runs: [[Outcome]] = []
        for outcome in outcomes {
            if let last = runs.last?.last, last.index + 1 == outcome.index { runs[runs.count - 1].append(outcome) } else { runs.append([outcome]) }
        }
        return runs
    }
}

/// Which inputs are done: one bit each, so it can be broadcast for --resume.
public struct DoneSet: Equatable {
    public private(set) var words: [UInt64]
    public let count: Int

    public init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    public init(count: Int, words: [UInt64]) { self.count = count; self.words = words }

    public func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
    public mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }
    public var total: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
