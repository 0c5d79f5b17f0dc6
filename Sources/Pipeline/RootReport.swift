import FileSystem
import Foundation

/// Rank 0, after the last round: results in input order, photos placed, summary and timing.
enum RootReport {
    /// The exit status when --max-failures is exceeded.
    static let failureLimitStatus: Int32 = 3

    static func finish(_ writer: ResultsWriter, classifier: Classifier, list: InputList, options: RunOptions, records: [[Double]],
                       hosts: [String], rounds: ResultRounds, start: Double, report: inout TimingReport) throws -> Int32 {
        let phase = Clock.now
        let codes = try writer.finish()
        let summary = try Summary(codes: codes, list: list, classifier: classifier)
        let placer = try Placer(mode: options.place, directory: options.outputPath, classes: classifier.classes)
        try list.forEachChunk(of: 0..<codes.count) { first, items in
            for (offset, item) in items.enumerated() where codes[first + offset] >= 0 {
                placer.place(list.source(of: item), classIndex: Int(codes[first + offset]))
            }
        }
        report.writeSeconds = Clock.now - phase
        report.gatherSeconds = rounds.seconds
        report.addRanks(records, hosts: hosts)
        report.wallSeconds = Clock.now - start
        try report.json().write(to: URL(fileURLWithPath: options.outputPath.appending(RawPath("timing.json")).displayText))

        print(summary.text(placed: placer.placed, placeMode: options.place, output: options.outputPath))
        for failure in placer.failures.prefix(10) { Pipeline.printError("warning: not placed: \(failure)") }
        print(report.table)
        if let limit = options.maxFailures, limit.isExceeded(failures: summary.failed, total: codes.count) {
            Pipeline.printError("error: \(summary.failed) of \(codes.count) inputs failed, more than --max-failures allows; all results are written")
            return failureLimitStatus
        }
        return 0
    }

    /// --dry-run: how many inputs were listed, and each rank's time.
    static func dryRun(list: InputList, records: [[Double]], hosts: [String], start: Double, report: inout TimingReport) {
        report.addRanks(records, hosts: hosts)
        report.wallSeconds = Clock.now - start
        print("dry run: \(list.count) inputs listed and shared out, nothing decoded")
        print(report.table)
    }
}
