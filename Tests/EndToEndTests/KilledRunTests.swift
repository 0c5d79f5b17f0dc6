import Foundation
import TestSupport
import XCTest

/// "Nothing lost" when the whole job is killed: only complete rows are left, and --resume
/// ends with the results an uninterrupted run writes.
final class KilledRunTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// kill -9 of the whole job (mpirun and every rank) while rows are being written: the file
    /// then holds only complete rows, each the same as an uninterrupted run's; --resume does
    /// only the rest and ends with a byte-identical results.csv and the same placed photos.
    func testKilledRunLeavesCompleteRowsAndResumesToIdenticalResults() throws {
        let photos = try TestData.devPhotos()
        let list = try writeLines(photos, to: "list.txt")
        // Rounds 5 times a second, so the kill below comes long before the end at any speed.
        let common = ["--input", list.path, "--batch-size", "8", "--quiet", "--round-seconds", "0.2"]

        let reference = directory.appendingPathComponent("reference")
        let full = try dogcat(2, common + ["--output", reference.path], timeout: 600)
        XCTAssertEqual(full.status, 0, full.stderr)
        let referenceBytes = try Data(contentsOf: reference.appendingPathComponent("results.csv"))
        let referenceRows = try results(reference)
        XCTAssertEqual(referenceRows.count, photos.count)

        // Killed once the rows written are out of input order (a second round has come in),
        // so the last scenario below has something to test.
        let output = directory.appendingPathComponent("killed")
        let position = Dictionary(photos.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let killed = try JobKiller.runAndKill(ranks: 2, common + ["--output", output.path], output: output) { bytes in
            guard let records = StrictCSV.records(bytes), records.count > 17 else { return false }
            let order = records.dropFirst().map { position[String(decoding: $0[0], as: UTF8.self)] ?? 0 }
            return order != order.sorted()
        }
        XCTAssertGreaterThanOrEqual(killed.ranks, 2, "the ranks were not found among mpirun's children")
        XCTAssertEqual(try JobKiller.survivors(of: output), [], "processes of the killed job still run")

        // Only complete rows, each equal to the uninterrupted run's row for that path.
        let bytes = [UInt8](try Data(contentsOf: output.appendingPathComponent("results.csv")))
        let records = try XCTUnwrap(StrictCSV.records(bytes), "results.csv after kill -9 is not a sequence of complete rows")
        XCTAssertEqual(records.first.map(StrictCSV.strings), ResultsHeader.fields)
        let rows = records.dropFirst().map(StrictCSV.strings)
        XCTAssertTrue(rows.allSatisfy { $0.count == 6 }, "every row has 6 fields")
        XCTAssertGreaterThanOrEqual(rows.count, 16)
        XCTAssertLessThan(rows.count, photos.count, "the job was killed too late to test anything; use more photos")
        let referenceByPath = Dictionary(referenceRows.map { ($0[0], $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(Set(rows.map { $0[0] }).count, rows.count, "no path twice")
        for row in rows { XCTAssertEqual(row, referenceByPath[row[0]], "a row written before the kill differs") }

        // A copy for the second scenario below.
        let crashedInFinish = directory.appendingPathComponent("crashed-in-finish")
        try FileManager.default.copyItem(at: output, to: crashedInFinish)

        let resumed = try dogcat(2, common + ["--output", output.path, "--resume"], timeout: 600)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(RunReport.processedImages(resumed.stdout), photos.count - rows.count, "--resume redoes only the rest: \(resumed.stdout)")
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("results.csv")), referenceBytes, "resumed results.csv differs")
        XCTAssertEqual(try placedPhotos(output), try placedPhotos(reference), "placed photos differ")

        // A crash inside the final rewrite, after results.csv was replaced by its rows in input
        // order but before .results.index was rewritten to match, leaves the same rows in
        // another order than the index says. --resume must not trust the stale offsets: it
        // must end with the uninterrupted run's results (or refuse), never with garbled rows.
        let header = records[0]
        let reordered = ([header] + records.dropFirst().sorted { position[StrictCSV.strings($0)[0]]! < position[StrictCSV.strings($1)[0]]! })
            .flatMap { record in record.map(StrictCSV.field).joined(separator: [0x2C]) + [0x0A] }
        XCTAssertEqual(reordered.count, bytes.count)
        XCTAssertNotEqual(reordered, bytes, "the rows were already in input order: nothing to test")
        try Data(reordered).write(to: crashedInFinish.appendingPathComponent("results.csv"))
        let recovered = try dogcat(2, common + ["--output", crashedInFinish.path, "--resume"], timeout: 600)
        XCTAssertFalse(recovered.timedOut)
        if recovered.status == 0 {
            XCTAssertEqual(try Data(contentsOf: crashedInFinish.appendingPathComponent("results.csv")), referenceBytes,
                           "--resume after a crash in the final rewrite: results.csv is not the uninterrupted run's")
        } else {
            XCTAssertEqual(try Data(contentsOf: crashedInFinish.appendingPathComponent("results.csv")), Data(reordered),
                           "a refused --resume changed results.csv")
        }
    }
}
