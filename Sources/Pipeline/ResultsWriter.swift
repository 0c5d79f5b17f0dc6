import FileSystem

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
    private let csv: FileDescriptor
    private let index: FileDescriptor
    private let lock: FileDescriptor
    private var csvSize: Int
    /// Inputs already in results.csv, from an earlier run (--resume) or this one.
    private(set) var done: DoneSet
    private(set) var resumedCount = 0

    init(directory: RawPath, list: InputList, classifier: Classifier, start: ResultsStart) throws {
        self.directory = directory
        self.list = list
        self.classifier = classifier
        csvPath = directory.appending(RawPath("results.csv"))
        indexPath = directory.appending(RawPath(".results.index"))
        // Never replace results silently (a resubmitted job that forgot --resume): refuse before
        // anything in the folder changes, the lock file included.
        if start == .fresh && (csvPath.exists || indexPath.exists) {
            throw PipelineError("\(directory.displayText) already holds results (results.csv); pass --resume to keep them and do the rest, or --overwrite to start over",
                                status: ExitStatus.usage)
        }
        let resume = start == .resume
        try FileIO.makeDirectories(directory)
        // One run at a time per output: a second run, or the ranks of a killed mpirun that
        // are still finishing, must not write into the same files.
        lock = try FileIO.open(directory.appending(RawPath(".lock")), .readWrite, options: .create)
        if (try? lock.tryLockExclusive()) != true {
            try? lock.close()
            throw PipelineError("\(directory.displayText) is in use by another dogcat-mpi run (or the ranks of one that was killed are still running); wait for it to end")
        }
        fingerprint = try ResultIndex.fingerprint(of: list)
        done = DoneSet(count: list.count)
        var kept: [ResultIndex.Entry] = []
        var end = ResultsWriter.header.utf8.count
        if resume, let entries = try ResultIndex.read(indexPath, count: list.count, fingerprint: fingerprint) {
            kept = try ResultsWriter.trustworthy(entries, csvPath: csvPath, list: list, classCount: classifier.classes.count)
            for entry in kept {
                done.insert(Int(entry.index))
                end = max(end, Int(entry.offset) + Int(entry.length))
            }
            resumedCount = kept.count
        } else if resume && csvPath.exists {
            throw PipelineError("--resume: \(csvPath.displayText) exists but \(indexPath.displayText) is missing or belongs to another input list; pass --overwrite instead of --resume to start over")
        }
        if kept.isEmpty {
            csv = try FileIO.open(csvPath, .writeOnly, options: [.create, .truncate])
            try FileIO.writeAll(csv, Array(ResultsWriter.header.utf8), path: csvPath)
        } else {
            csv = try FileIO.open(csvPath, .writeOnly)
            try? csv.resize(to: Int64(end))   // drop a partly written last row
        }
        csvSize = end
        _ = try? csv.seek(offset: Int64(end), from: .start)
        try ResultsWriter.replaceIndex(indexPath, ResultIndex.header(count: list.count, fingerprint: fingerprint) + ResultIndex.encode(kept), in: directory)
        index = try FileIO.open(indexPath, .writeOnly, options: .append)
    }

    deinit {
        try? csv.close()
        try? index.close()
        try? lock.close()
    }

    /// The entries of an earlier run's index whose rows really are in results.csv: the row
    /// lies wholly in the file, starts and ends a line, and starts with its input's path.
    /// (A run killed while it put the file in order leaves rows where the old index does
    /// not expect them.) Rows that fail, or whose code no class or failure has, are done again.
    static func trustworthy(_ entries: [ResultIndex.Entry], csvPath: RawPath, list: InputList, classCount: Int) throws -> [ResultIndex.Entry] {
        let fd = try FileIO.open(csvPath, .readOnly)
        defer { try? fd.close() }
        let size = FileIO.fileSize(fd)
        let headerEnd = header.utf8.count
        var seen = Set<Int64>()
        let candidates = entries.filter { e in
            e.index >= 0 && Int(e.index) < list.count && Int(e.offset) >= headerEnd && e.length > 0
                && Int(e.offset) + Int(e.length) <= size && ResultIndex.isKnown(e.code, classCount: classCount)
                && seen.insert(e.index).inserted
        }.sorted { $0.index < $1.index }
        var kept: [ResultIndex.Entry] = []
        guard let first = candidates.first, let last = candidates.last else { return kept }
        var position = 0
        try list.forEachChunk(of: Int(first.index)..<(Int(last.index) + 1)) { start, items in
            while position < candidates.count && Int(candidates[position].index) < start + items.count {
                let entry = candidates[position]
                let row = try FileIO.readAt(fd, offset: Int(entry.offset) - 1, count: Int(entry.length) + 1, path: csvPath)
                let expected = Array((CSV.field(items[Int(entry.index) - start].path.displayText) + ",").utf8)
                if row.first == UInt8(ascii: "\n") && row.last == UInt8(ascii: "\n") && row.dropFirst().starts(with: expected) {
                    kept.append(entry)
                }
                position += 1
            }
        }
        return kept
    }

    /// Writes a whole index through a temporary file and a rename, so a crash leaves the old
    /// index or the new one, never half of one.
    static func replaceIndex(_ path: RawPath, _ bytes: [UInt8], in directory: RawPath) throws {
        let temporary = directory.appending(RawPath(".results.index.tmp"))
        let fd = try FileIO.open(temporary, .writeOnly, options: [.create, .truncate])
        defer { try? fd.close() }
        try FileIO.writeAll(fd, bytes, path: temporary)
        try FileIO.rename(temporary, path)
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
            return (Array(CSV.row([path, "", "", "", "error", failure.message]).utf8), ResultIndex.code(of: failure.reason))
        }
        let (classIndex, score) = classifier.classify(outcome.outputs[...])
        let raw = outcome.outputs.map { "\($0)" }.joined(separator: ";")
        return (Array(CSV.row([path, classifier.classes[classIndex], "\(score)", raw, "ok", ""]).utf8), Int32(classIndex))
    }

    /// Rewrites results.csv in input order and returns every input's code, in order.
    /// `partial` (a run stopped early): the inputs done so far, in order, and their codes.
    func finish(partial: Bool = false) throws -> [Int32] {
        let entries = try ResultIndex.read(indexPath, count: list.count, fingerprint: fingerprint) ?? []
        var ordered = [ResultIndex.Entry?](repeating: nil, count: list.count)
        for entry in entries { ordered[Int(entry.index)] = entry }
        let missing = ordered.firstIndex { $0 == nil }
        if let missing, !partial { throw PipelineError("internal error: no result for input \(missing)") }

        let source = try FileIO.open(csvPath, .readOnly)
        defer { try? source.close() }
        let temporaryPath = directory.appending(RawPath(".results.csv.tmp"))
        let target = try FileIO.open(temporaryPath, .writeOnly, options: [.create, .truncate])
        defer { try? target.close() }
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
        try ResultsWriter.replaceIndex(indexPath, ResultIndex.header(count: list.count, fingerprint: fingerprint) + ResultIndex.encode(rewritten), in: directory)
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
