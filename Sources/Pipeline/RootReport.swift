import FileSystem
import Foundation

/// Rank 0, after the last round: results in input order, photos placed, summary and timing.
enum RootReport {
    static func finish(_ writer: ResultsWriter, classifier: Classifier, list: InputList, options: RunOptions, records: [[Double]],
                       hosts: [String], rounds: ResultRounds, signalledBeforeWork: Bool, start: Double,
                       report: inout TimingReport) throws -> Int32 {
        let phase = Clock.now
        // A stop agreed in a round cuts the work short: the rows done so far, put in input order.
        let codes = try writer.finish(partial: rounds.stopSignal != nil)
        var stopped: String? = nil
        if let signal = rounds.stopSignal {
            stopped = "stopped by \(StopSignal.name(signal)) \(signalledBeforeWork ? "before the work began" : "during the work"): \(codes.count) of \(list.count) inputs are in results.csv;"
                + " run the same command with --resume to do the rest"
        }
        let summary = try Summary(codes: stopped == nil ? codes : [], list: list, classifier: classifier)
        let placer = try Placer(mode: options.place, directory: options.outputPath, classes: classifier.classes)
        if stopped == nil {
            // A signal on rank 0 after the last round: results.csv is complete; stop placing.
            try list.forEachChunk(of: 0..<codes.count) { first, items in
                for (offset, item) in items.enumerated() where stopped == nil && codes[first + offset] >= 0 {
                    if let signal = StopSignal.received, options.place != .none {
                        stopped = "stopped by \(StopSignal.name(signal)) \(placer.placed == 0 ? "before placing photos" : "while placing photos (\(placer.placed) placed)"):"
                            + " all \(codes.count) inputs are in results.csv; run the same command with --resume to place the rest"
                        break
                    }
                    placer.place(list.source(of: item), classIndex: Int(codes[first + offset]))
                }
            }
        }
        report.writeSeconds = Clock.now - phase
        report.gatherSeconds = rounds.seconds
        report.addRanks(records, hosts: hosts)
        report.wallSeconds = Clock.now - start
        try report.json().write(to: URL(fileURLWithPath: options.outputPath.appending(RawPath("timing.json")).displayText))

        if let stopped {
            Pipeline.printError(stopped)
            print(report.table)
            return ExitStatus.stoppedEarly
        }
        print(summary.text(placed: placer.placed, placeMode: options.place, output: options.outputPath))
        for failure in placer.failures.prefix(10) { Pipeline.printError("warning: not placed: \(failure)") }
        print(report.table)
        if let limit = options.maxFailures, limit.isExceeded(failures: summary.failed, total: codes.count) {
            Pipeline.printError("error: \(summary.failed) of \(codes.count) inputs failed, more than --max-failures allows; all results are written")
            return ExitStatus.failureLimitExceeded
        }
        return ExitStatus.completed
    }

    /// --dry-run: how many inputs were listed, and each rank's time.
    static func dryRun(list: InputList, records: [[Double]], hosts: [String], start: Double, report: inout TimingReport) {
        report.addRanks(records, hosts: hosts)
        report.wallSeconds = Clock.now - start
        print("dry run: \(list.count) inputs listed and shared out, nothing decoded")
        print(report.table)
    }
}
