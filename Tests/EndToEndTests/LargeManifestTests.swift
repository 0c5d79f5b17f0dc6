import Foundation
import TestSupport
import XCTest

/// A huge input list is streamed, not held in memory.
final class LargeManifestTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A manifest of 1,000,000 lines (the dev photos over and over): --dry-run at -np 2 lists
    /// and shares it out in seconds with little memory per rank (the list is not held in
    /// memory); --limit 2000 classifies just its start.
    func testMillionLineManifest() throws {
        let photos = try TestData.csvRows(TestData.photos.appendingPathComponent("labels.csv")).map { $0["file"]! }
        for folder in ["cats", "dogs"] {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent(folder), withDestinationURL: TestData.photos.appendingPathComponent(folder))
        }
        let count = 1_000_000
        var text = [UInt8]()
        text.reserveCapacity(count * 24)
        for i in 0..<count { text += photos[i % photos.count].utf8; text.append(0x0A) }
        let list = directory.appendingPathComponent("million.txt")
        try Data(text).write(to: list)

        let dry = try dogcat(2, ["--input", list.path, "--output", directory.appendingPathComponent("dry").path, "--dry-run"], timeout: 300)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("dry run: 1000000 inputs listed"), dry.stdout)
        let dryRanks = RunReport.rankTable(dry.stdout)
        XCTAssertEqual(dryRanks.map(\.images), [500_000, 500_000], dry.stdout)
        XCTAssertEqual(dryRanks.count, 2)
        for rank in dryRanks { XCTAssertLessThan(rank.peakMB, 100, "dry run, rank \(rank.rank): \(dry.stdout)") }
        XCTAssertLessThan(dry.seconds, 60, dry.stdout)

        let output = directory.appendingPathComponent("limit")
        let limited = try dogcat(2, ["--input", list.path, "--output", output.path, "--limit", "2000", "--place", "none", "--quiet"], timeout: 600)
        XCTAssertEqual(limited.status, 0, limited.stderr)
        let rows = try results(output)
        XCTAssertEqual(rows.map { $0[0] }, Array(photos.prefix(2000)))
        let ranks = RunReport.rankTable(limited.stdout)
        XCTAssertEqual(ranks.count, 2)
        for rank in ranks { XCTAssertLessThan(rank.peakMB, 200, "--limit 2000, rank \(rank.rank): \(limited.stdout)") }
        print("1M-line manifest: --dry-run -np 2 \(String(format: "%.1f", dry.seconds)) s, peak MB per rank \(dryRanks.map(\.peakMB)); "
              + "--limit 2000 \(String(format: "%.1f", limited.seconds)) s, peak MB per rank \(ranks.map(\.peakMB))")
    }
}
