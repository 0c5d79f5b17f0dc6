import Foundation
import TestSupport
import XCTest

/// SIGTERM, SIGINT or SIGUSR1 mid-run (Slurm's time limit, Ctrl-C, Slurm's warning): every
/// rank stops after its current batch, the finished rows reach results.csv, the job exits
/// with its own status, and --resume ends with the results of an uninterrupted run.
final class GracefulStopTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// "Stopped early, run again with --resume" (EX_TEMPFAIL).
    static let stoppedStatus: Int32 = 75

    var photos: [String] = []
    var common: [String] = []
    var referenceBytes = Data()
    var referencePlaced: [String: String] = [:]
    var referenceByPath: [String: [String]] = [:]

    /// The dev photos (rounds 5 times a second, so a signal after the first rows comes long
    /// before the end at any speed) and an uninterrupted run's results.
    func makeReference() throws {
        photos = try TestData.devPhotos()
        let list = try writeLines(photos, to: "list.txt")
        common = ["--input", list.path, "--batch-size", "8", "--quiet", "--round-seconds", "0.2"]
        let reference = directory.appendingPathComponent("reference")
        let full = try dogcat(2, common + ["--output", reference.path], timeout: 600)
        XCTAssertEqual(full.status, 0, full.stderr)
        referenceBytes = try Data(contentsOf: reference.appendingPathComponent("results.csv"))
        referencePlaced = try placedPhotos(reference)
        referenceByPath = Dictionary(try results(reference).map { ($0[0], $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(referenceByPath.count, photos.count)
    }

    /// Runs the job, signals `target` once 16 rows are written, checks the stop, then resumes.
    /// `status`: the job's exit status, nil where it is Open MPI's own (mpirun answers SIGTERM
    /// and SIGINT by stopping the job itself, and then exits 1 whatever the ranks' statuses).
    func stopAndResume(_ signal: Int32, _ name: String, to target: JobSignaller.Target, label: String, status: Int32? = GracefulStopTests.stoppedStatus) throws {
        let output = directory.appendingPathComponent("stopped-\(label)")
        let stopped = try JobSignaller.run(ranks: 2, common + ["--output", output.path], output: output, signals: [signal], to: target) { bytes in
            (StrictCSV.records(bytes)?.count ?? 0) > 17
        }
        XCTAssertFalse(stopped.timedOut, "\(label): the stopped job did not end")
        XCTAssertFalse(stopped.killedBySignal, "\(label): the job died of signal \(stopped.status): \(stopped.stderr)")
        if let status { XCTAssertEqual(stopped.status, status, "\(label): \(stopped.stderr)") } else { XCTAssertNotEqual(stopped.status, 0, label) }
        let message = stopped.stderr.split(separator: "\n").filter { $0.hasPrefix("stopped by") }
        XCTAssertEqual(message.count, 1, "\(label): \(stopped.stderr)")
        XCTAssertTrue(message.first?.hasPrefix("stopped by \(name) during the work: ") == true, "\(label): \(stopped.stderr)")
        XCTAssertTrue(message.first?.hasSuffix("inputs are in results.csv; run the same command with --resume to do the rest") == true, "\(label): \(stopped.stderr)")

        // Complete rows only, in input order, each the uninterrupted run's; at least those there when the signal came.
        let rows = try results(output)
        XCTAssertGreaterThanOrEqual(rows.count, max(stopped.rowsAtSignal, 16), "\(label): finished rows were lost")
        XCTAssertLessThan(rows.count, photos.count, "\(label): the job stopped too late to test anything; use more photos")
        XCTAssertEqual(Set(rows.map { $0[0] }).count, rows.count, "\(label): a path twice")
        let position = Dictionary(photos.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let order = rows.map { position[$0[0]] ?? -1 }
        XCTAssertEqual(order, order.sorted(), "\(label): the stopped run's rows are not in input order")
        for row in rows { XCTAssertEqual(row, referenceByPath[row[0]], "\(label): a row of the stopped run differs") }
        XCTAssertTrue(message.first?.contains(": \(rows.count) of \(photos.count) inputs") == true, "\(label): \(stopped.stderr)")

        let resumed = try dogcat(2, common + ["--output", output.path, "--resume"], timeout: 600)
        XCTAssertEqual(resumed.status, 0, "\(label): \(resumed.stderr)")
        XCTAssertEqual(RunReport.processedImages(resumed.stdout), photos.count - rows.count, "\(label): --resume redoes only the rest: \(resumed.stdout)")
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("results.csv")), referenceBytes, "\(label): resumed results.csv differs")
        XCTAssertEqual(try placedPhotos(output), referencePlaced, "\(label): placed photos differ")
    }

    /// SIGUSR1 to mpirun reaches every rank; SIGTERM and SIGINT make mpirun send every rank
    /// SIGTERM (and exit with its own status); SIGTERM to every rank is Slurm's time limit.
    func testSignalsStopEveryRankAndResumeToIdenticalResults() throws {
        try makeReference()
        try stopAndResume(SIGUSR1, "SIGUSR1", to: .mpirun, label: "SIGUSR1 to mpirun")
        try stopAndResume(SIGTERM, "SIGTERM", to: .mpirun, label: "SIGTERM to mpirun", status: nil)
        try stopAndResume(SIGINT, "SIGTERM", to: .mpirun, label: "SIGINT to mpirun", status: nil)
        try stopAndResume(SIGTERM, "SIGTERM", to: .everyRank, label: "SIGTERM to every rank")
        try stopAndResume(SIGINT, "SIGINT", to: .everyRank, label: "SIGINT to every rank")
    }

    /// A signal that only one rank sees still stops all of them (decided together in a round).
    func testSignalToOneRankStopsEveryRank() throws {
        try makeReference()
        try stopAndResume(SIGUSR1, "SIGUSR1", to: .rank(1), label: "SIGUSR1 to rank 1")
        try stopAndResume(SIGTERM, "SIGTERM", to: .rank(0), label: "SIGTERM to rank 0")
    }

    /// A second signal while the ranks drain ends the job at once (the default action is back):
    /// the rows written are whole, and --resume still ends with the uninterrupted run's results.
    func testSecondSignalEndsAtOnceLeavingWholeRows() throws {
        try makeReference()
        let output = directory.appendingPathComponent("twice")
        let stopped = try JobSignaller.run(ranks: 2, common + ["--output", output.path], output: output,
                                           signals: [SIGUSR1, SIGTERM], to: .rank(1)) { bytes in
            (StrictCSV.records(bytes)?.count ?? 0) > 17
        }
        XCTAssertFalse(stopped.timedOut, "the job did not end")
        XCTAssertNotEqual(stopped.status, 0, stopped.stderr)
        XCTAssertNotEqual(stopped.status, Self.stoppedStatus, "the second signal did not end rank 1 at once: \(stopped.stderr)")
        let bytes = [UInt8](try Data(contentsOf: output.appendingPathComponent("results.csv")))
        let records = try XCTUnwrap(StrictCSV.records(bytes), "results.csv is not a sequence of whole rows")
        let rows = records.dropFirst().map(StrictCSV.strings)
        XCTAssertLessThan(rows.count, photos.count, "the job ended too late to test anything")
        for row in rows { XCTAssertEqual(row, referenceByPath[row[0]], "a row written before the second signal differs") }
        XCTAssertEqual(try JobKiller.survivors(of: output), [], "processes of the job still run")

        let resumed = try dogcat(2, common + ["--output", output.path, "--resume"], timeout: 600)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("results.csv")), referenceBytes, "resumed results.csv differs")
        XCTAssertEqual(try placedPhotos(output), referencePlaced, "placed photos differ")
    }
}
