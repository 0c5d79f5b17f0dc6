import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Every bad input is one row with a specific error, in list order, whatever it is and
/// whatever was decoded before it. The bad inputs are made at test time from the real photos
/// in ../shared/data/photos.
final class BadInputRowTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    enum Expected {
        case ok
        case error(String, reason: String)         // the exact error text
        case errorPrefix(String, reason: String)   // libjpeg's own wording follows the prefix
    }

    /// One run (-np 2, batches of 4 that mix good and bad) over every kind of bad input
    /// between good photos: one row per listed path, in list order, with the right status and
    /// a specific error; failures counted by reason in the summary; nothing placed for them.
    func testEveryBadInputIsOneRowInListOrder() throws {
        let folder = directory.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let photo = [UInt8](try Data(contentsOf: TestData.photo(stem: "cat.10")))
        var entries: [(path: String, expected: Expected)] = []
        func add(_ name: String, _ bytes: [UInt8]?, _ expected: Expected) throws {
            let url = folder.appendingPathComponent(name)
            if let bytes { try Data(bytes).write(to: url) }
            entries.append((url.path, expected))
        }
        let premature = Expected.error("truncated JPEG (Premature end of JPEG file)", reason: "truncated JPEG")

        entries.append((TestData.photo(stem: "cat.10").path, .ok))
        try add("empty.jpg", [], .error("empty file", reason: "empty file"))
        for (name, length) in [("cut3", 3), ("cut100", 100), ("cut10pc", photo.count / 10), ("cut50pc", photo.count / 2),
                               ("cut90pc", photo.count * 9 / 10), ("cutlastbyte", photo.count - 1)] {
            try add("\(name).jpg", Array(photo.prefix(length)), premature)
        }
        try add("cut2.jpg", Array(photo.prefix(2)), .error("unsupported format (JPEG start marker without a segment)", reason: "unsupported format"))
        try add("random.jpg", [0] + Noise.bytes(4999, seed: 1), .error("unsupported format (unknown signature)", reason: "unsupported format"))
        try add("random_after_soi.jpg", [0xFF, 0xD8, 0xFF] + Noise.bytes(4997, seed: 2),
                .errorPrefix("corrupt JPEG: ", reason: "corrupt JPEG"))
        // Read by their signature, whatever the name says, as TensorFlow's decode_jpeg does.
        try add("png.jpg", PNGWriter.rgb(width: 3, height: 2), .ok)
        try add("gif.jpg", TinyGIF.bytes, .ok)
        try add("tiff.jpg", [0x4D, 0x4D, 0x00, 0x2A] + Noise.bytes(200, seed: 4), .error("unsupported format (TIFF signature)", reason: "unsupported format"))
        try add("text.jpg", Array("cats and dogs\n".utf8), .error("unsupported format (text)", reason: "unsupported format"))
        // A run of FF 00 (stuffed all-ones bits, no valid Huffman code) in the middle of the scan.
        var entropy = photo
        let middle = (JPEGSegments.scanStart(photo) + photo.count) / 2
        for i in stride(from: middle, to: middle + 64, by: 2) { entropy[i] = 0xFF; entropy[i + 1] = 0x00 }
        try add("entropy.jpg", entropy, .errorPrefix("corrupt JPEG: ", reason: "corrupt JPEG"))
        // Colour spaces the dev photos lack (their exact pixels are ImageTests.ColourSpaceTests').
        try add("cmyk.jpg", JPEGWriter.tiny(width: 160, height: 120, components: 4, adobeTransform: 0), .ok)
        try add("ycck.jpg", JPEGWriter.tiny(width: 160, height: 120, components: 4, adobeTransform: 2), .ok)
        try add("grey.jpg", JPEGWriter.tiny(width: 160, height: 120, components: 1), .ok)
        try add("huge.jpg", JPEGSegments.withSize(photo, width: 65000, height: 65000),
                .error("image too large: 65000x65000 (more than 100000000 pixels)", reason: "image too large"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("folder.jpg"), withIntermediateDirectories: false)
        try add("folder.jpg", nil, .error("is a directory, not a file", reason: "directory"))
        try add("missing.jpg", nil, .error("file not found", reason: "not found"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("dangling.jpg").path,
                                                   withDestinationPath: folder.appendingPathComponent("nowhere.jpg").path)
        try add("dangling.jpg", nil, .error("file not found", reason: "not found"))
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("fifo.jpg").path, 0o644), 0)
        try add("fifo.jpg", nil, .error("cannot read file: not a regular file", reason: "unreadable"))
        entries.append((TestData.photo(stem: "dog.1").path, .ok))
        entries.append((TestData.photo(stem: "dog.1").path, .ok))   // the same path twice
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.jpg").path,
                                                   withDestinationPath: TestData.photo(stem: "Cat1002").path)
        try add("link.jpg", nil, .ok)
        entries.append((TestData.photo(stem: "000bec180eb18c7604dcecc8fe0dba07").path, .ok))

        let list = try writeLines(entries.map(\.path), to: "list.txt")
        let output = directory.appendingPathComponent("out")
        let run = try dogcat(2, ["--input", list.path, "--output", output.path, "--batch-size", "4", "--quiet"])
        XCTAssertFalse(run.timedOut, "the job hung")
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try results(output)
        XCTAssertEqual(rows.count, entries.count, "one row per listed path")
        var expectedReasons: [String: Int] = [:]
        for (row, entry) in zip(rows, entries) {
            let path = row[0], name = URL(fileURLWithPath: entry.path).lastPathComponent
            XCTAssertEqual(path, entry.path, "rows are in list order")
            switch entry.expected {
            case .ok:
                XCTAssertEqual(row[4], "ok", "\(name): \(row)")
                XCTAssertEqual(row[5], "")
                XCTAssertTrue(["cat", "dog"].contains(row[1]), "\(name): \(row)")
                let raw = try XCTUnwrap(Double(row[3]), "\(name): raw \(row[3])")
                XCTAssertTrue((0...1).contains(raw), "\(name): raw \(raw)")
                XCTAssertEqual(try XCTUnwrap(Double(row[2])), row[1] == "dog" ? raw : 1 - raw, accuracy: 1e-6, "\(name): score")
            case .error(let text, let reason), .errorPrefix(let text, let reason):
                XCTAssertEqual(row[4], "error", "\(name): \(row)")
                XCTAssertEqual(Array(row[1...3]), ["", "", ""], "\(name): an error row has no label, score or raw")
                if case .error = entry.expected {
                    XCTAssertEqual(row[5], text, name)
                } else {
                    XCTAssertTrue(row[5].hasPrefix(text) && row[5].count > text.count + 3, "\(name): \(row[5])")
                }
                expectedReasons[reason, default: 0] += 1
            }
        }
        // The photo listed twice: two identical rows.
        let dogRows = rows.filter { $0[0] == TestData.photo(stem: "dog.1").path }
        XCTAssertEqual(dogRows.count, 2)
        XCTAssertEqual(dogRows.first, dogRows.last)

        // The summary counts failures by reason, and each class.
        let failed = expectedReasons.values.reduce(0, +)
        let cats = rows.filter { $0[1] == "cat" }.count, dogs = rows.filter { $0[1] == "dog" }.count
        XCTAssertTrue(run.stdout.contains("\(entries.count) images: \(cats) cat, \(dogs) dog, \(failed) failed"), run.stdout)
        let reasons = expectedReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        XCTAssertTrue(run.stdout.contains("\nfailures: \(reasons)\n"), "expected failures: \(reasons)\n\(run.stdout)")
        // Only the classified photos are placed (the one listed twice gets a ~1 copy).
        let placed = try ["cat", "dog"].flatMap { try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent($0).path) }
        XCTAssertEqual(placed.count, cats + dogs)
        XCTAssertTrue(placed.contains("dog.1~1.jpg"), "\(placed)")
    }

    /// Each photo is decoded on its own, as TensorFlow does (a new libjpeg decoder per
    /// image): a photo whose frame uses a quantisation table it does not define, or whose
    /// scan uses a Huffman table it does not define, is an error even when the photo decoded
    /// just before it on the same rank defined that table; so its row is the same for any
    /// number of ranks.
    func testPhotoDoesNotBorrowTablesFromThePhotoBeforeIt() throws {
        let photo = [UInt8](try Data(contentsOf: TestData.photo(stem: "cat.10")))
        let segments = JPEGSegments.segments(photo)
        let frame = try XCTUnwrap(segments.first { $0.marker == 0xC0 || $0.marker == 0xC2 })
        let scan = try XCTUnwrap(segments.first { $0.marker == 0xDA })
        let huffman = try XCTUnwrap(segments.first { $0.marker == 0xC4 && photo[$0.start + 4] >> 4 == 0 }, "a DC Huffman table")
        // definesQ2: an extra DQT segment defining quantisation tables 2 and 3.
        let dqt: [UInt8] = [0xFF, 0xDB, 0, 132, 2] + (1...64).map { UInt8($0) } + [3] + (1...64).map { UInt8($0) }
        let definesQ2 = Array(photo[..<frame.start]) + dqt + Array(photo[frame.start...])
        // usesQ2: the first component's quantisation table is 2, which it does not define.
        var usesQ2 = photo
        usesQ2[frame.start + 12] = 2
        // definesH2: an extra copy of a DC Huffman table, as table 2.
        var table = Array(photo[huffman.start..<huffman.end])
        table[4] = 0x02
        let definesH2 = Array(photo[..<scan.start]) + table + Array(photo[scan.start...])
        // usesH2: the scan's first component takes DC Huffman table 2, which it does not define.
        var usesH2 = photo
        usesH2[scan.start + 6] = 0x20 | (usesH2[scan.start + 6] & 0x0F)
        let folder = directory.appendingPathComponent("tables")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var paths: [String] = []
        for (name, bytes) in [("definesQ2", definesQ2), ("usesQ2", usesQ2), ("definesH2", definesH2), ("usesH2", usesH2)] {
            let url = folder.appendingPathComponent("\(name).jpg")
            try Data(bytes).write(to: url)
            paths.append(url.path)
        }
        let list = try writeLines(paths, to: "list.txt")
        var outputs: [Data] = []
        for ranks in [1, 2, 4] {
            let output = directory.appendingPathComponent("out\(ranks)")
            let run = try dogcat(ranks, ["--input", list.path, "--output", output.path, "--place", "none", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let rows = try results(output)
            XCTAssertEqual(rows.map { $0[4] }, ["ok", "error", "ok", "error"], "-np \(ranks): \(rows)")
            XCTAssertEqual(rows[1][5], "corrupt JPEG: Quantization table 0x02 was not defined", "-np \(ranks)")
            XCTAssertEqual(rows[3][5], "corrupt JPEG: Huffman table 0x02 was not defined", "-np \(ranks)")
            outputs.append(try Data(contentsOf: output.appendingPathComponent("results.csv")))
        }
        XCTAssertEqual(Set(outputs).count, 1, "results.csv depends on the number of ranks")
    }
}
