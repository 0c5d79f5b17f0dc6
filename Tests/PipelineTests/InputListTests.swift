import FileSystem
import Foundation
import Image
import Pipeline
import TestSupport
import XCTest

final class InputListTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func write(_ text: String, _ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func testDirectoryIsRecursiveCaseInsensitiveAndSortedByBytes() throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("b/deeper"), withIntermediateDirectories: true)
        for name in ["Z.JPG", "a.jpeg", "b/deeper/c.Jpg", "b/x.png", "b/y.jpg.txt", "a.JPEG", "g.GIF", "w.webp", "m.Bmp", "n.tiff", "jpg"] {
            XCTAssertTrue(fm.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data([1])))
        }
        let list = try InputLists.open(RawPath(directory.path))
        let names = try list.items(0..<list.count).map { String($0.path.displayText.dropFirst(directory.path.count + 1)) }
        XCTAssertEqual(names, ["Z.JPG", "a.JPEG", "a.jpeg", "b/deeper/c.Jpg", "b/x.png", "g.GIF", "m.Bmp", "w.webp"])
        XCTAssertFalse(list.hasLabels)
    }

    func testTextManifestResolvesRelativePathsAgainstItsFolder() throws {
        let url = try write("one.jpg\n\n/abs/two.jpg\r\nsub/three.jpg\n", "list.txt")
        let list = try InputLists.open(RawPath(url.path))
        XCTAssertEqual(list.count, 3)
        let items = try list.items(0..<3)
        XCTAssertEqual(items.map(\.path.displayText), ["one.jpg", "/abs/two.jpg", "sub/three.jpg"])
        XCTAssertEqual(list.location(of: items[0]).displayText, directory.path + "/one.jpg")
        XCTAssertEqual(list.location(of: items[1]).displayText, "/abs/two.jpg")
    }

    func testCSVManifestWithLabelsAndQuoting() throws {
        let url = try write("id,path,label\n1,a.jpg,cat\n2,\"with, comma \"\"q\"\".jpg\",dog\n3,\"two\nlines.jpg\",\n", "m.csv")
        let list = try InputLists.open(RawPath(url.path))
        XCTAssertTrue(list.hasLabels)
        let items = try list.items(0..<list.count)
        XCTAssertEqual(items.map(\.path.displayText), ["a.jpg", "with, comma \"q\".jpg", "two\nlines.jpg"])
        XCTAssertEqual(items.map(\.label), ["cat", "dog", nil])
    }

    func testByteOrderMarkIsNotPartOfTheFirstPathOrHeader() throws {
        let bom = "\u{FEFF}"
        let text = try InputLists.open(RawPath(try write(bom + "a.jpg\nb.jpg\n", "m.txt").path))
        XCTAssertEqual(try text.items(0..<text.count).map(\.path.displayText), ["a.jpg", "b.jpg"])
        let csv = try InputLists.open(RawPath(try write(bom + "path,label\na.jpg,cat\n", "m.csv").path))
        XCTAssertTrue(csv.hasLabels)
        XCTAssertEqual(try csv.items(0..<csv.count).map(\.path.displayText), ["a.jpg"])
    }

    func testCSVWithoutPathColumnIsRefused() throws {
        let url = try write("name,label\na.jpg,cat\n", "m.csv")
        XCTAssertThrowsError(try InputLists.open(RawPath(url.path))) { XCTAssertTrue("\($0)".contains("path"), "\($0)") }
    }

    /// Ranges read back through the sparse index, across its 1,024-record checkpoints.
    func testLongManifestReadsBackAnyRange() throws {
        let lines = (0..<5000).map { "photo\($0).jpg" }
        let url = try write(lines.joined(separator: "\n") + "\n", "long.txt")
        let list = try InputLists.open(RawPath(url.path))
        XCTAssertEqual(list.count, 5000)
        for range in [0..<1, 1020..<1030, 2047..<2049, 4990..<5000, 0..<5000] {
            XCTAssertEqual(try list.items(range).map(\.path.displayText), Array(lines[range]), "\(range)")
        }
    }

    func testSlicesCoverEveryInputOnce() {
        for size in 1...7 {
            for count in [0, 1, 5, 13, 2002] {
                let slices = (0..<size).map { WorkQueue.slice(rank: $0, size: size, count: count) }
                XCTAssertEqual(slices.first?.lowerBound, 0)
                XCTAssertEqual(slices.last?.upperBound, count)
                for (a, b) in zip(slices, slices.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
            }
        }
    }
}
