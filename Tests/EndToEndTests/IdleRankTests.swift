import Foundation
import TestSupport
import XCTest

/// Ranks that get no inputs still take part in every collective and finish cleanly.
final class IdleRankTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Ranks with nothing to do (more ranks than inputs, an empty list, --limit 0, or
    /// --resume with everything done, as ResumeTests checks) still take part and finish cleanly.
    func testRanksWithNothingToDoFinishCleanly() throws {
        let photos = try TestData.devPhotos(every: 500)
        let cases: [(ranks: Int, paths: [String], options: [String])] = [
            (2, [photos[0]], []), (4, Array(photos.prefix(3)), []), (2, [], []), (2, photos, ["--limit", "0"]),
        ]
        for (n, c) in cases.enumerated() {
            let list = try writeLines(c.paths, to: "list\(n).txt")
            let output = directory.appendingPathComponent("out\(n)")
            let run = try dogcat(c.ranks, ["--input", list.path, "--output", output.path, "--quiet"] + c.options, timeout: 60)
            let label = "-np \(c.ranks), \(c.paths.count) inputs \(c.options.joined(separator: " "))"
            XCTAssertFalse(run.timedOut, "\(label): hung")
            XCTAssertEqual(run.status, 0, "\(label): \(run.stderr.suffix(600))")
            let expected = c.options.isEmpty ? c.paths : []
            XCTAssertEqual(try results(output).map { $0[0] }, expected, label)
        }
    }
}
