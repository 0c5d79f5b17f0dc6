import Foundation
import TestSupport
import XCTest

/// An --output that holds results is never replaced silently: without --resume it is refused
/// and left as it was; --overwrite starts over; --resume on an empty or new output starts fresh.
final class OverwriteTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// The status of a refused run: the one of every argument error (swift-argument-parser's EX_USAGE).
    static let usageStatus: Int32 = 64

    func testOutputWithResultsIsRefusedWithoutResumeOrOverwrite() throws {
        let photos = try TestData.devPhotos(every: 100)
        let list = try writeLines(photos, to: "list.txt")
        let output = directory.appendingPathComponent("out")
        let arguments = ["--input", list.path, "--output", output.path, "--quiet"]
        let first = try dogcat(2, arguments)
        XCTAssertEqual(first.status, 0, first.stderr)

        // Both files, the index alone, results.csv alone: each is results, each is refused.
        let refusal = "error: \(output.path) already holds results (results.csv); pass --resume to keep them and do the rest, or --overwrite to start over"
        let index = output.appendingPathComponent(".results.index"), csv = output.appendingPathComponent("results.csv")
        let indexBytes = try Data(contentsOf: index)
        for (name, prepare) in [("both", { () throws -> Void in }),
                                ("index only", { try FileManager.default.removeItem(at: csv) }),
                                ("results.csv only", { try FileManager.default.removeItem(at: index); try Data("x".utf8).write(to: csv) })] {
            try prepare()
            let before = try FileTreeSnapshot.take(output)
            let again = try dogcat(2, arguments, timeout: 60)
            XCTAssertFalse(again.timedOut, "\(name): a rank hung")
            XCTAssertEqual(again.status, Self.usageStatus, "\(name): \(again.stderr)")
            XCTAssertEqual(again.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }, [Substring(refusal)], "\(name): \(again.stderr)")
            XCTAssertEqual(try FileTreeSnapshot.take(output), before, "\(name): the refused run changed the output")
        }
        try indexBytes.write(to: index)
    }

    /// --overwrite replaces results of another list with this run's; --resume on a new or an
    /// empty folder starts fresh. All three end with the results.csv of a plain first run.
    func testOverwriteStartsOverAndResumeOnNothingStartsFresh() throws {
        let photos = try TestData.devPhotos(every: 100)
        let list = try writeLines(photos, to: "list.txt"), other = try writeLines(Array(photos.prefix(5)), to: "other.txt")
        let reference = directory.appendingPathComponent("reference")
        let plain = try dogcat(2, ["--input", list.path, "--output", reference.path, "--quiet"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let referenceBytes = try Data(contentsOf: reference.appendingPathComponent("results.csv"))
        XCTAssertEqual(try results(reference).count, photos.count)

        let overwritten = directory.appendingPathComponent("overwritten")
        let before = try dogcat(2, ["--input", other.path, "--output", overwritten.path, "--quiet"])
        XCTAssertEqual(before.status, 0, before.stderr)
        let run = try dogcat(2, ["--input", list.path, "--output", overwritten.path, "--quiet", "--overwrite"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(RunReport.processedImages(run.stdout), photos.count, "--overwrite redoes everything: \(run.stdout)")
        XCTAssertEqual(try Data(contentsOf: overwritten.appendingPathComponent("results.csv")), referenceBytes, "--overwrite")

        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        for output in [directory.appendingPathComponent("new"), empty] {
            let resumed = try dogcat(2, ["--input", list.path, "--output", output.path, "--quiet", "--resume"])
            XCTAssertEqual(resumed.status, 0, "\(output.lastPathComponent): \(resumed.stderr)")
            XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("results.csv")), referenceBytes, "--resume on \(output.lastPathComponent)")
        }
    }
}
