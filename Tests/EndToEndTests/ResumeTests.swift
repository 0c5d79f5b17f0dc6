import Foundation
import TestSupport
import XCTest

/// --resume on an output that needs nothing done, or that another input list made.
final class ResumeTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// --resume on a finished output: nothing is redone, rewritten or placed again.
    func testResumeOnFinishedOutputChangesNothing() throws {
        let photos = try TestData.devPhotos(every: 50)
        let list = try writeLines(photos + [photos[0]], to: "list.txt")   // one twice: a ~1 placement
        let output = directory.appendingPathComponent("out")
        let first = try dogcat(2, ["--input", list.path, "--output", output.path, "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        var before = try FileTreeSnapshot.take(output)
        XCTAssertTrue(before.keys.contains("cat/Cat1.jpg") && before.keys.contains("cat/Cat1~1.jpg"), "\(before.keys.sorted())")
        let again = try dogcat(2, ["--input", list.path, "--output", output.path, "--quiet", "--resume"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(RunReport.processedImages(again.stdout), 0, again.stdout)
        // Only timing.json, the report of the latest run, may change.
        var after = try FileTreeSnapshot.take(output)
        XCTAssertNotNil(after.removeValue(forKey: "timing.json"))
        XCTAssertNotNil(before.removeValue(forKey: "timing.json"))
        XCTAssertEqual(after, before, "--resume changed a finished output")
    }

    /// --resume with another input list stops with one clear line and leaves the output alone.
    func testResumeWithAnotherListIsRefused() throws {
        let photos = try TestData.devPhotos(every: 100)
        let list = try writeLines(photos, to: "list.txt")
        let output = directory.appendingPathComponent("out")
        let first = try dogcat(2, ["--input", list.path, "--output", output.path, "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try FileTreeSnapshot.take(output)
        for (name, other) in [("fewer.txt", Array(photos.dropLast())), ("swapped.txt", [photos[1], photos[0]] + photos.dropFirst(2))] {
            let otherList = try writeLines(other, to: name)
            let run = try dogcat(2, ["--input", otherList.path, "--output", output.path, "--quiet", "--resume"], timeout: 60)
            XCTAssertFalse(run.timedOut, "a rank hung")
            XCTAssertNotEqual(run.status, 0, "\(name): --resume with another list was accepted")
            let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, run.stderr)
            XCTAssertTrue(errors.first?.contains("--resume") == true && errors.first?.contains("another input list") == true, run.stderr)
            XCTAssertEqual(try FileTreeSnapshot.take(output), before, "\(name): the refused run changed the output")
        }
    }
}
