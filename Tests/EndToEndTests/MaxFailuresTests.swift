import Foundation
import TestSupport
import XCTest

/// --max-failures: the exit status says whether too many inputs failed; the rows are all written.
final class MaxFailuresTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// 7 inputs, 3 of them bad: the run exits 3 only when the limit (a count or a percentage
    /// of the inputs) is exceeded, and writes every row either way.
    func testMaxFailuresGivesExitStatus3OnlyWhenExceeded() throws {
        let good = try TestData.devPhotos(every: 400)
        let folder = directory.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent("empty.jpg"))
        try Data("text".utf8).write(to: folder.appendingPathComponent("text.jpg"))
        let bad = ["empty.jpg", "text.jpg", "missing.jpg"].map { folder.appendingPathComponent($0).path }
        let paths = [good[0], bad[0], good[1], bad[1], good[2], bad[2], good[3]]
        let list = try writeLines(paths, to: "list.txt")
        // 3 of 7 = 42.9%.
        for (n, (limit, expected)) in [("2", Int32(3)), ("3", 0), ("42%", 3), ("43%", 0), ("0", 3), ("100%", 0)].enumerated() {
            let output = directory.appendingPathComponent("out\(n)")
            let run = try dogcat(2, ["--input", list.path, "--output", output.path, "--place", "none", "--quiet", "--max-failures", limit])
            XCTAssertEqual(run.status, expected, "--max-failures \(limit): \(run.stderr)")
            let rows = try results(output)
            XCTAssertEqual(rows.map { $0[0] }, paths, "--max-failures \(limit): every row is written")
            XCTAssertEqual(rows.map { $0[4] }, ["ok", "error", "ok", "error", "ok", "error", "ok"])
            XCTAssertTrue(run.stdout.contains("7 images: ") && run.stdout.contains("3 failed"), run.stdout)
            let complaint = "error: 3 of 7 inputs failed, more than --max-failures allows; all results are written"
            XCTAssertEqual(run.stderr.contains(complaint), expected == 3, "--max-failures \(limit): \(run.stderr)")
        }
    }
}
