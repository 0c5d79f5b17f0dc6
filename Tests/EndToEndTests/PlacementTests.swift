import Foundation
import TestSupport
import XCTest

/// What placement writes stays inside --output and never overwrites a file.
final class PlacementTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Placement never writes outside --output: a manifest entry that climbs out of the
    /// manifest's folder (../../x/evil.jpg) and an absolute path are placed under their last
    /// component in the class folder; a name already taken by another file, or by a symlink
    /// to a file outside, is never overwritten: the photo gets a ~1 suffix. For link and copy.
    func testPlacementNeverWritesOutsideTheOutput() throws {
        let root = directory!
        let manifestFolder = root.appendingPathComponent("a/b")
        let x = root.appendingPathComponent("x")
        let absolute = root.appendingPathComponent("abs")
        for folder in [manifestFolder, x, absolute] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let sources = try TestData.devPhotos(every: 300)
        for (i, name) in ["x/evil.jpg", "x/clash.jpg", "x/trap.jpg", "abs/absolute.jpg"].enumerated() {
            try FileManager.default.copyItem(at: URL(fileURLWithPath: sources[i]), to: root.appendingPathComponent(name))
        }
        try Data("victim".utf8).write(to: root.appendingPathComponent("victim.txt"))
        let list = manifestFolder.appendingPathComponent("list.txt")
        let lines = ["../../x/evil.jpg", absolute.appendingPathComponent("absolute.jpg").path, "../../x/clash.jpg", "../../x/trap.jpg",
                     "./../../x/../x/evil.jpg"]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: list)

        for place in ["link", "copy"] {
            let output = root.appendingPathComponent("out-\(place)")
            for label in ["cat", "dog"] {
                let folder = output.appendingPathComponent(label)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data("precious".utf8).write(to: folder.appendingPathComponent("clash.jpg"))
                try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("trap.jpg").path,
                                                           withDestinationPath: root.appendingPathComponent("victim.txt").path)
            }
            let outside = try FileTreeSnapshot.take(root, excluding: output.lastPathComponent)
            let inside = try FileTreeSnapshot.take(output)
            let run = try dogcat(2, ["--input", list.path, "--output", output.path, "--place", place, "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(try results(output).map { $0[4] }, ["ok", "ok", "ok", "ok", "ok"])
            XCTAssertEqual(try FileTreeSnapshot.take(root, excluding: output.lastPathComponent), outside, "\(place): something outside --output changed")
            let after = try FileTreeSnapshot.take(output)
            for (name, value) in inside { XCTAssertEqual(after[name], value, "\(place): \(name) was overwritten") }
            let rows = try results(output)
            let expected: [(String, String)] = [("evil.jpg", "x/evil.jpg"), ("absolute.jpg", "abs/absolute.jpg"), ("clash~1.jpg", "x/clash.jpg"),
                                                 ("trap~1.jpg", "x/trap.jpg"), ("evil~1.jpg", "x/evil.jpg")]
            for (row, (name, source)) in zip(rows, expected) {
                let placed = output.appendingPathComponent("\(row[1])/\(name)")
                XCTAssertEqual(try? Data(contentsOf: placed), try Data(contentsOf: root.appendingPathComponent(source)), "\(place): \(row[1])/\(name)")
            }
            let new = Set(after.keys).subtracting(inside.keys)
            let expectedNew = Set(["results.csv", ".results.index", ".lock", "timing.json"] + zip(rows, expected).map { "\($0[1])/\($1.0)" })
            XCTAssertEqual(new, expectedNew, "\(place): unexpected files")
        }
    }
}
