import Foundation
import TestSupport
import XCTest

/// Any path the file system allows, byte-exact from the listing to results.csv and placement.
final class AwkwardPathTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// File names with a space, comma, quote, newline, CR, tab, backslash, a literal "\xE9",
    /// valid UTF-8 and a byte that is not UTF-8 (0xE9): from a directory listing (sorted by
    /// bytes) and from a CSV manifest (quoted fields, list order), each row's path is valid
    /// UTF-8 text that maps back to exactly its own file, and the photo is placed under
    /// exactly its own name.
    func testAwkwardPathsSurviveIntoResultsAndPlacement() throws {
        let folder = directory.appendingPathComponent("awkward")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let names: [[UInt8]] = [
            "plain.jpg", "with space.jpg", "comma,name.jpg", "quote\"name.jpg", "new\nline.jpg", "carriage\rreturn.jpg",
            "tab\tname.jpg", "back\\slash.jpg", "literal\\xE9.jpg", "ünïcödé.jpg",
        ].map { Array($0.utf8) } + [Array("caf".utf8) + [0xE9] + Array(".jpg".utf8), [0xFF, 0xFE] + Array(".jpg".utf8)]
        let sources = try TestData.devPhotos(every: 150)
        var inodes: [[UInt8]: UInt64] = [:]
        let base = Array(folder.path.utf8) + [0x2F]
        for (i, name) in names.enumerated() {
            let path = base + name
            try ByteFile.write(path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: sources[i]))))
            inodes[path] = try XCTUnwrap(ByteFile.inode(path))
        }

        // A directory: rows sorted by path bytes.
        let fromDirectory = directory.appendingPathComponent("out-dir")
        var run = try dogcat(2, ["--input", folder.path, "--output", fromDirectory.path, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        try checkAwkward(fromDirectory, expected: names.map { base + $0 }.sorted { $0.lexicographicallyPrecedes($1) }, inodes: inodes, place: "link")

        // A CSV manifest with a path column: every field quoted, in an order of our own.
        let order = names.reversed().map { base + $0 }
        var manifest = Array("label,path\n".utf8)
        for path in order { manifest += Array("cat,\"".utf8) + path.flatMap { $0 == 0x22 ? [0x22, 0x22] : [$0] } + Array("\"\n".utf8) }
        let manifestURL = directory.appendingPathComponent("awkward.csv")
        try Data(manifest).write(to: manifestURL)
        let fromManifest = directory.appendingPathComponent("out-csv")
        run = try dogcat(2, ["--input", manifestURL.path, "--output", fromManifest.path, "--place", "copy", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        try checkAwkward(fromManifest, expected: order, inodes: inodes, place: "copy")
    }

    func checkAwkward(_ output: URL, expected: [[UInt8]], inodes: [[UInt8]: UInt64], place: String) throws {
        let bytes = [UInt8](try Data(contentsOf: output.appendingPathComponent("results.csv")))
        XCTAssertNotNil(String(validating: bytes, as: UTF8.self), "results.csv is not UTF-8")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("/caf\\xE9.jpg"), "the 0xE9 byte is written \\xE9")
        XCTAssertTrue(text.contains("/literal\\\\xE9.jpg"), "a backslash is written \\\\")
        XCTAssertTrue(text.contains("/quote\"\"name.jpg\""), "quotes are doubled in a quoted field")
        let records = try XCTUnwrap(StrictCSV.records(bytes), "results.csv is not RFC 4180")
        let rows = records.dropFirst().map(StrictCSV.strings)
        XCTAssertEqual(rows.count, expected.count)
        for (row, path) in zip(rows, expected) {
            let shown = String(decoding: path, as: UTF8.self).debugDescription
            XCTAssertEqual(row.count, 6, shown)
            XCTAssertEqual(DisplayPath.bytes(row[0]), path, "row \(row[0].debugDescription) is not \(shown)")
            XCTAssertEqual(row[4], "ok", "\(shown): \(row)")
            XCTAssertEqual(ByteFile.inode(DisplayPath.bytes(row[0])), inodes[path], "\(shown): the path does not lead to its own file")
            // Placed under exactly its own name, never elsewhere.
            let name = Array(path.split(separator: 0x2F).last!)
            let placed = Array(output.path.utf8) + [0x2F] + Array(row[1].utf8) + [0x2F] + name
            if place == "link" {
                XCTAssertEqual(ByteFile.inode(placed), inodes[path], "\(shown) not linked under its name")
            } else {
                XCTAssertEqual(try ByteFile.read(placed), try ByteFile.read(path), "\(shown) not copied under its name")
            }
        }
        let placedCount = try ["cat", "dog"].map { try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent($0).path).count }.reduce(0, +)
        XCTAssertEqual(placedCount, expected.count)
    }
}
