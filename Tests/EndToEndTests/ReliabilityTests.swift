import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// "Nothing lost": every input is accounted for exactly once whatever it is, a killed job
/// resumes to the same results, results do not depend on ranks or batch size, the list can
/// be huge, and what is written stays inside --output, byte-exact for any path.
/// Bad inputs are made at test time from the real photos in ../shared/data/photos.
final class ReliabilityTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    // MARK: - 1. Bad photos

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
        try add("cut2.jpg", Array(photo.prefix(2)), .error("not a JPEG (JPEG start marker without a segment)", reason: "not a JPEG"))
        try add("random.jpg", [0] + Fixture.randomBytes(4999, seed: 1), .error("not a JPEG (unknown signature)", reason: "not a JPEG"))
        try add("random_after_soi.jpg", [0xFF, 0xD8, 0xFF] + Fixture.randomBytes(4997, seed: 2),
                .errorPrefix("corrupt JPEG: ", reason: "corrupt JPEG"))
        try add("png.jpg", Fixture.png(width: 3, height: 2), .error("not a JPEG (PNG signature)", reason: "not a JPEG"))
        try add("gif.jpg", Fixture.gif, .error("not a JPEG (GIF signature)", reason: "not a JPEG"))
        try add("text.jpg", Array("cats and dogs\n".utf8), .error("not a JPEG (text)", reason: "not a JPEG"))
        // A run of FF 00 (stuffed all-ones bits, no valid Huffman code) in the middle of the scan.
        var entropy = photo
        let middle = (Fixture.scanStart(photo) + photo.count) / 2
        for i in stride(from: middle, to: middle + 64, by: 2) { entropy[i] = 0xFF; entropy[i + 1] = 0x00 }
        try add("entropy.jpg", entropy, .errorPrefix("corrupt JPEG: ", reason: "corrupt JPEG"))
        // Colour spaces the dev photos lack (their exact pixels are ImageTests.ColourSpaceTests').
        try add("cmyk.jpg", Fixture.tinyJPEG(width: 160, height: 120, components: 4, adobeTransform: 0), .ok)
        try add("ycck.jpg", Fixture.tinyJPEG(width: 160, height: 120, components: 4, adobeTransform: 2), .ok)
        try add("grey.jpg", Fixture.tinyJPEG(width: 160, height: 120, components: 1), .ok)
        try add("huge.jpg", Fixture.withSize(photo, width: 65000, height: 65000),
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
        let segments = Fixture.segments(photo)
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

    // MARK: - 2. --max-failures

    /// 7 inputs, 3 of them bad: the run exits 3 only when the limit (a count or a percentage
    /// of the inputs) is exceeded, and writes every row either way.
    func testMaxFailuresGivesExitStatus3OnlyWhenExceeded() throws {
        let good = try Self.devPhotos(every: 400)
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

    // MARK: - 3. Crashes and --resume

    /// kill -9 of the whole job (mpirun and every rank) while rows are being written: the file
    /// then holds only complete rows, each the same as an uninterrupted run's; --resume does
    /// only the rest and ends with a byte-identical results.csv and the same placed photos.
    func testKilledRunLeavesCompleteRowsAndResumesToIdenticalResults() throws {
        let photos = try Self.devPhotos()
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
        let killed = try runAndKill(ranks: 2, common + ["--output", output.path], output: output) { bytes in
            guard let records = Self.strictRecords(bytes), records.count > 17 else { return false }
            let order = records.dropFirst().map { position[String(decoding: $0[0], as: UTF8.self)] ?? 0 }
            return order != order.sorted()
        }
        XCTAssertGreaterThanOrEqual(killed.ranks, 2, "the ranks were not found among mpirun's children")
        XCTAssertEqual(try survivors(of: output), [], "processes of the killed job still run")

        // Only complete rows, each equal to the uninterrupted run's row for that path.
        let bytes = [UInt8](try Data(contentsOf: output.appendingPathComponent("results.csv")))
        let records = try XCTUnwrap(Self.strictRecords(bytes), "results.csv after kill -9 is not a sequence of complete rows")
        XCTAssertEqual(records.first.map(Self.strings), ResultsHeader.fields)
        let rows = records.dropFirst().map(Self.strings)
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
        XCTAssertEqual(Self.processedImages(resumed.stdout), photos.count - rows.count, "--resume redoes only the rest: \(resumed.stdout)")
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("results.csv")), referenceBytes, "resumed results.csv differs")
        XCTAssertEqual(try placedPhotos(output), try placedPhotos(reference), "placed photos differ")

        // A crash inside the final rewrite, after results.csv was replaced by its rows in input
        // order but before .results.index was rewritten to match, leaves the same rows in
        // another order than the index says. --resume must not trust the stale offsets: it
        // must end with the uninterrupted run's results (or refuse), never with garbled rows.
        let header = records[0]
        let reordered = ([header] + records.dropFirst().sorted { position[Self.strings($0)[0]]! < position[Self.strings($1)[0]]! })
            .flatMap { record in record.map(Self.csvField).joined(separator: [0x2C]) + [0x0A] }
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

    /// A field as the program quotes it (RFC 4180: quoted when it holds , " CR or LF).
    static func csvField(_ field: [UInt8]) -> [UInt8] {
        guard field.contains(where: { [0x2C, 0x22, 0x0A, 0x0D].contains($0) }) else { return field }
        return [0x22] + field.flatMap { $0 == 0x22 ? [0x22, 0x22] : [$0] } + [0x22]
    }

    /// --resume on a finished output: nothing is redone, rewritten or placed again.
    func testResumeOnFinishedOutputChangesNothing() throws {
        let photos = try Self.devPhotos(every: 50)
        let list = try writeLines(photos + [photos[0]], to: "list.txt")   // one twice: a ~1 placement
        let output = directory.appendingPathComponent("out")
        let first = try dogcat(2, ["--input", list.path, "--output", output.path, "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        var before = try snapshot(output)
        XCTAssertTrue(before.keys.contains("cat/Cat1.jpg") && before.keys.contains("cat/Cat1~1.jpg"), "\(before.keys.sorted())")
        let again = try dogcat(2, ["--input", list.path, "--output", output.path, "--quiet", "--resume"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(Self.processedImages(again.stdout), 0, again.stdout)
        // Only timing.json, the report of the latest run, may change.
        var after = try snapshot(output)
        XCTAssertNotNil(after.removeValue(forKey: "timing.json"))
        XCTAssertNotNil(before.removeValue(forKey: "timing.json"))
        XCTAssertEqual(after, before, "--resume changed a finished output")
    }

    /// --resume with another input list stops with one clear line and leaves the output alone.
    func testResumeWithAnotherListIsRefused() throws {
        let photos = try Self.devPhotos(every: 100)
        let list = try writeLines(photos, to: "list.txt")
        let output = directory.appendingPathComponent("out")
        let first = try dogcat(2, ["--input", list.path, "--output", output.path, "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try snapshot(output)
        for (name, other) in [("fewer.txt", Array(photos.dropLast())), ("swapped.txt", [photos[1], photos[0]] + photos.dropFirst(2))] {
            let otherList = try writeLines(other, to: name)
            let run = try dogcat(2, ["--input", otherList.path, "--output", output.path, "--quiet", "--resume"], timeout: 60)
            XCTAssertFalse(run.timedOut, "a rank hung")
            XCTAssertNotEqual(run.status, 0, "\(name): --resume with another list was accepted")
            let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, run.stderr)
            XCTAssertTrue(errors.first?.contains("--resume") == true && errors.first?.contains("another input list") == true, run.stderr)
            XCTAssertEqual(try snapshot(output), before, "\(name): the refused run changed the output")
        }
    }

    /// Ranks with nothing to do (more ranks than inputs, an empty list, --limit 0, or
    /// --resume with everything done, as above) still take part and finish cleanly.
    func testRanksWithNothingToDoFinishCleanly() throws {
        let photos = try Self.devPhotos(every: 500)
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

    // MARK: - 4. Identical results

    /// -np 1 to 4 (3 and 4 oversubscribed on 2 cores), and the dynamic schedule: byte-identical
    /// results.csv. Batch sizes 1, 7 and 64: also byte-identical, so raw is bit-identical
    /// (raw is Swift's shortest round-trip text of the float).
    func testResultsAreByteIdenticalForAnyRankCountBatchSizeAndSchedule() throws {
        let folder = directory.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let photo = [UInt8](try Data(contentsOf: TestData.photo(stem: "dog.1")))
        try Data(photo.prefix(photo.count / 2)).write(to: folder.appendingPathComponent("half.jpg"))
        var paths = try Self.devPhotos(every: 13)
        paths.insert(folder.appendingPathComponent("half.jpg").path, at: 40)
        paths.insert(folder.appendingPathComponent("missing.jpg").path, at: 90)
        paths.append(paths[7])
        let list = try writeLines(paths, to: "list.txt")
        var reference: Data? = nil
        let configurations: [(ranks: Int, options: [String])] = [
            (1, ["--batch-size", "8"]), (2, ["--batch-size", "8"]), (3, ["--batch-size", "8"]), (4, ["--batch-size", "8"]),
            (3, ["--batch-size", "8", "--schedule", "dynamic"]),
            (2, ["--batch-size", "1"]), (2, ["--batch-size", "7"]), (2, ["--batch-size", "64"]),
        ]
        for (n, configuration) in configurations.enumerated() {
            let output = directory.appendingPathComponent("out\(n)")
            let run = try dogcat(configuration.ranks, ["--input", list.path, "--output", output.path, "--place", "none", "--quiet"] + configuration.options)
            let label = "-np \(configuration.ranks) \(configuration.options.joined(separator: " "))"
            XCTAssertEqual(run.status, 0, "\(label): \(run.stderr)")
            let csv = try Data(contentsOf: output.appendingPathComponent("results.csv"))
            guard let reference else {
                reference = csv
                XCTAssertEqual(try results(output).count, paths.count)
                continue
            }
            if csv != reference {
                // Say how far apart: labels, and raw within 1e-6?
                let a = ResultsFile.parse(String(decoding: reference, as: UTF8.self)), b = ResultsFile.parse(String(decoding: csv, as: UTF8.self))
                let worst = zip(a.dropFirst(), b.dropFirst()).map { abs((Double($0[3]) ?? 0) - (Double($1[3]) ?? 0)) }.max() ?? .infinity
                XCTFail("\(label): results.csv differs from -np 1 --batch-size 8 (largest raw difference \(worst))")
            }
        }
    }

    // MARK: - 5. Scale

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
        let dryRanks = Self.rankTable(dry.stdout)
        XCTAssertEqual(dryRanks.map(\.images), [500_000, 500_000], dry.stdout)
        XCTAssertEqual(dryRanks.count, 2)
        for rank in dryRanks { XCTAssertLessThan(rank.peakMB, 100, "dry run, rank \(rank.rank): \(dry.stdout)") }
        XCTAssertLessThan(dry.seconds, 60, dry.stdout)

        let output = directory.appendingPathComponent("limit")
        let limited = try dogcat(2, ["--input", list.path, "--output", output.path, "--limit", "2000", "--place", "none", "--quiet"], timeout: 600)
        XCTAssertEqual(limited.status, 0, limited.stderr)
        let rows = try results(output)
        XCTAssertEqual(rows.map { $0[0] }, Array(photos.prefix(2000)))
        let ranks = Self.rankTable(limited.stdout)
        XCTAssertEqual(ranks.count, 2)
        for rank in ranks { XCTAssertLessThan(rank.peakMB, 200, "--limit 2000, rank \(rank.rank): \(limited.stdout)") }
        print("1M-line manifest: --dry-run -np 2 \(String(format: "%.1f", dry.seconds)) s, peak MB per rank \(dryRanks.map(\.peakMB)); "
              + "--limit 2000 \(String(format: "%.1f", limited.seconds)) s, peak MB per rank \(ranks.map(\.peakMB))")
    }

    // MARK: - 6. What is written

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
        let sources = try Self.devPhotos(every: 150)
        var inodes: [[UInt8]: UInt64] = [:]
        let base = Array(folder.path.utf8) + [0x2F]
        for (i, name) in names.enumerated() {
            let path = base + name
            try Self.writeFile(path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: sources[i]))))
            inodes[path] = try XCTUnwrap(Self.inode(path))
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
        let records = try XCTUnwrap(Self.strictRecords(bytes), "results.csv is not RFC 4180")
        let rows = records.dropFirst().map(Self.strings)
        XCTAssertEqual(rows.count, expected.count)
        for (row, path) in zip(rows, expected) {
            let shown = String(decoding: path, as: UTF8.self).debugDescription
            XCTAssertEqual(row.count, 6, shown)
            XCTAssertEqual(Self.unescape(row[0]), path, "row \(row[0].debugDescription) is not \(shown)")
            XCTAssertEqual(row[4], "ok", "\(shown): \(row)")
            XCTAssertEqual(Self.inode(Self.unescape(row[0])), inodes[path], "\(shown): the path does not lead to its own file")
            // Placed under exactly its own name, never elsewhere.
            let name = Array(path.split(separator: 0x2F).last!)
            let placed = Array(output.path.utf8) + [0x2F] + Array(row[1].utf8) + [0x2F] + name
            if place == "link" {
                XCTAssertEqual(Self.inode(placed), inodes[path], "\(shown) not linked under its name")
            } else {
                XCTAssertEqual(try Self.readFile(placed), try Self.readFile(path), "\(shown) not copied under its name")
            }
        }
        let placedCount = try ["cat", "dog"].map { try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent($0).path).count }.reduce(0, +)
        XCTAssertEqual(placedCount, expected.count)
    }

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
        let sources = try Self.devPhotos(every: 300)
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
            let outside = try snapshot(root, excluding: output.lastPathComponent)
            let inside = try snapshot(output)
            let run = try dogcat(2, ["--input", list.path, "--output", output.path, "--place", place, "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(try results(output).map { $0[4] }, ["ok", "ok", "ok", "ok", "ok"])
            XCTAssertEqual(try snapshot(root, excluding: output.lastPathComponent), outside, "\(place): something outside --output changed")
            let after = try snapshot(output)
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

    // MARK: - Running and killing jobs

    /// mpirun -np `ranks` dogcat-mpi --model <catsordogs> ...
    func dogcat(_ ranks: Int, _ arguments: [String], timeout: Double = 180) throws -> MPIRun {
        try MPIRun.run(ranks: ranks, ["--model", TestData.catsordogsModel.path] + arguments, timeout: timeout)
    }

    /// Starts the job and, once results.csv's bytes satisfy `ready`, SIGKILLs mpirun and every
    /// process below it at once. (Open MPI puts each rank in a process group of its own, so
    /// killing mpirun's group would miss them: the ranks are found as mpirun's descendants.)
    func runAndKill(ranks: Int, _ arguments: [String], output: URL, ready: ([UInt8]) -> Bool) throws -> (rows: Int, ranks: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["mpirun", "-np", "\(ranks)", TestData.binary.path, "--model", TestData.catsordogsModel.path] + arguments
        process.environment = MPIRun.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let csv = output.appendingPathComponent("results.csv").path
        let start = Date()
        var rows = 0
        while process.isRunning && Date().timeIntervalSince(start) < 300 {
            if let data = FileManager.default.contents(atPath: csv) {
                let bytes = [UInt8](data)
                rows = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1
                if ready(bytes) { break }
            }
            usleep(5_000)
        }
        guard process.isRunning else {
            XCTFail("the job ended (status \(process.terminationStatus), \(rows) rows) before it could be killed")
            return (rows, 0)
        }
        let victims = Self.descendants(of: process.processIdentifier)
        // The ranks: mpirun may start them by the resolved path (.build/<triple>/release/...).
        let ranks = victims.filter { Self.commandLine($0).contains("dogcat-mpi --model") }.count
        for pid in victims.reversed() + [process.processIdentifier] { kill(pid, SIGKILL) }
        process.waitUntilExit()
        return (rows, ranks)
    }

    /// Processes whose command line mentions `output`, after waiting up to 10 s for them to go.
    func survivors(of output: URL) throws -> [String] {
        XCTAssertTrue(Self.commandLine(getpid()).contains("xctest"), "cannot read /proc/PID/cmdline: this check would see nothing")
        var found: [String] = []
        for _ in 0..<100 {
            found = Self.processIDs().filter { $0 != getpid() }.map(Self.commandLine).filter { $0.contains(output.path) }
            if found.isEmpty { break }
            usleep(100_000)
        }
        // pgrep agrees (status 1: no process matched).
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        pgrep.arguments = ["pgrep", "-f", output.path]
        pgrep.standardOutput = FileHandle.nullDevice
        try pgrep.run()
        pgrep.waitUntilExit()
        if pgrep.terminationStatus == 0 { found.append("pgrep -f \(output.path) matched") }
        return found
    }

    static func processIDs() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }

    static func parent(of pid: pid_t) -> pid_t? {
        // /proc files report size 0: read them to the end with read(2).
        guard let data = try? readFile(Array("/proc/\(pid)/stat".utf8)) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    static func commandLine(_ pid: pid_t) -> String {
        let data = (try? readFile(Array("/proc/\(pid)/cmdline".utf8))) ?? []
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Every process below `root`, parents before children.
    static func descendants(of root: pid_t) -> [pid_t] {
        let parents = Dictionary(processIDs().compactMap { pid in parent(of: pid).map { (pid, $0) } }, uniquingKeysWith: { a, _ in a })
        var result: [pid_t] = [], frontier = [root]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key).sorted()
            result += children
            frontier += children
        }
        return result
    }

    /// "N images, X images/s": the images this run processed (resumed ones not included).
    static func processedImages(_ stdout: String) -> Int? {
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasSuffix(" images/s") }) else { return nil }
        return Int(line.split(separator: " ").first ?? "")
    }

    /// The per-rank lines of the timing table: rank, images and the peak MB column.
    static func rankTable(_ stdout: String) -> [(rank: Int, images: Int, peakMB: Double)] {
        var lines = stdout.split(separator: "\n").drop { !$0.hasPrefix("rank ") }.dropFirst()
        var ranks: [(Int, Int, Double)] = []
        while let line = lines.first, !line.hasPrefix("wall") {
            let fields = line.split(separator: " ")
            if fields.count >= 8, let rank = Int(fields[0]), let images = Int(fields[2]), let peak = Double(fields.last!) {
                ranks.append((rank, images, peak))
            }
            lines = lines.dropFirst()
        }
        return ranks
    }

    // MARK: - Files

    /// The labeled dev photos (labels.csv order, every `every`-th), as absolute paths.
    static func devPhotos(every: Int = 1) throws -> [String] {
        try TestData.csvRows(TestData.photos.appendingPathComponent("labels.csv")).enumerated()
            .filter { $0.offset % every == 0 }.map { TestData.photos.appendingPathComponent($0.element["file"]!).path }
    }

    func writeLines(_ lines: [String], to name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// results.csv's rows (header checked and dropped), read strictly.
    func results(_ output: URL) throws -> [[String]] {
        let bytes = [UInt8](try Data(contentsOf: output.appendingPathComponent("results.csv")))
        let records = try XCTUnwrap(Self.strictRecords(bytes), "\(output.lastPathComponent)/results.csv is not RFC 4180")
        XCTAssertEqual(records.first.map(Self.strings), ResultsHeader.fields)
        let rows = records.dropFirst().map(Self.strings)
        for row in rows where row.count != 6 { XCTFail("a row with \(row.count) fields: \(row)") }
        return rows
    }

    enum ResultsHeader { static let fields = ["path", "label", "score", "raw", "status", "error"] }

    static func strings(_ record: [[UInt8]]) -> [String] { record.map { String(decoding: $0, as: UTF8.self) } }

    /// RFC 4180 records as the program writes them (LF line ends; a field is quoted as a
    /// whole or not at all). nil for anything else, e.g. a partly written last row.
    static func strictRecords(_ bytes: [UInt8]) -> [[[UInt8]]]? {
        var records: [[[UInt8]]] = [], record: [[UInt8]] = [], field: [UInt8] = []
        var inQuotes = false, closed = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if inQuotes {
                if b != 0x22 { field.append(b); continue }
                if i < bytes.count && bytes[i] == 0x22 { field.append(0x22); i += 1; continue }
                inQuotes = false
                closed = true
                continue
            }
            switch b {
            case 0x22:
                if closed || !field.isEmpty { return nil }
                inQuotes = true
            case 0x2C:
                record.append(field); field = []; closed = false
            case 0x0A:
                record.append(field); records.append(record); record = []; field = []; closed = false
            default:
                if closed { return nil }
                field.append(b)
            }
        }
        return inQuotes || closed || !field.isEmpty || !record.isEmpty ? nil : records
    }

    /// A results.csv path back to its bytes: `\xHH` is a byte, `\\` a backslash.
    static func unescape(_ text: String) -> [UInt8] {
        let u = Array(text.utf8)
        var out: [UInt8] = [], i = 0
        while i < u.count {
            if u[i] == 0x5C, i + 1 < u.count {
                if u[i + 1] == 0x5C { out.append(0x5C); i += 2; continue }
                if u[i + 1] == 0x78, i + 3 < u.count, let byte = UInt8(String(decoding: u[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                    out.append(byte); i += 4; continue
                }
            }
            out.append(u[i]); i += 1
        }
        return out
    }

    static func withCPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (path + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    static func inode(_ path: [UInt8]) -> UInt64? {
        var info = stat()
        return withCPath(path) { stat($0, &info) } == 0 ? UInt64(info.st_ino) : nil
    }

    static func writeFile(_ path: [UInt8], _ bytes: [UInt8]) throws {
        let fd = withCPath(path) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        XCTAssertEqual(bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }, bytes.count)
    }

    static func readFile(_ path: [UInt8]) throws -> [UInt8] {
        let fd = withCPath(path) { open($0, O_RDONLY) }
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    /// Every entry below `root` (symlinks not followed), relative path -> what it is:
    /// a file's size and content hash, a symlink's target, or "dir".
    func snapshot(_ root: URL, excluding excluded: String? = nil) throws -> [String: String] {
        var result: [String: String] = [:]
        let manager = FileManager.default
        func walk(_ folder: URL, _ prefix: String) throws {
            for name in try manager.contentsOfDirectory(atPath: folder.path) {
                if prefix.isEmpty && name == excluded { continue }
                let url = folder.appendingPathComponent(name), key = prefix + name
                let attributes = try manager.attributesOfItem(atPath: url.path)
                switch attributes[.type] as? FileAttributeType {
                case .typeDirectory?:
                    result[key] = "dir"
                    try walk(url, key + "/")
                case .typeSymbolicLink?:
                    result[key] = "-> " + (try manager.destinationOfSymbolicLink(atPath: url.path))
                default:
                    let data = try Data(contentsOf: url)
                    result[key] = "\(data.count) bytes, hash \(Fixture.fnv1a([UInt8](data)))"
                }
            }
        }
        try walk(root, "")
        return result
    }

    /// The photos placed under out/cat and out/dog: name -> content hash.
    func placedPhotos(_ output: URL) throws -> [String: String] {
        try snapshot(output).filter { $0.key.hasPrefix("cat/") || $0.key.hasPrefix("dog/") }
    }
}

/// Bad and unusual files, made from scratch.
enum Fixture {
    /// Deterministic noise (xorshift64*).
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E3779B97F4A7C15 | 1
        return (0..<count).map { _ in
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return UInt8(truncatingIfNeeded: (state &* 0x2545F4914F6CDD1D) >> 56)
        }
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf29ce484222325) { ($0 ^ UInt64($1)) &* 0x100000001b3 }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
        }
        return ~c
    }

    static func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    /// A real, valid RGB PNG (zlib stream of one stored block).
    static func png(width: Int, height: Int) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            bigEndian32(UInt32(data.count)) + Array(type.utf8) + data + bigEndian32(crc32(Array(type.utf8) + data))
        }
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)   // filter: none
            for x in 0..<width { raw += [UInt8(40 * x), UInt8(90 * y), 200] }
        }
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let n = UInt16(raw.count)
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + raw + bigEndian32(b << 16 | a)
        let header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    /// A 1x1 GIF89a.
    static let gif: [UInt8] = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
                               0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
                               0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]

    /// The offsets of the JPEG's marker segments before the first scan's data: (start, end, marker).
    static func segments(_ jpeg: [UInt8]) -> [(start: Int, end: Int, marker: UInt8)] {
        var result: [(Int, Int, UInt8)] = []
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let end = i + 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
            result.append((i, end, jpeg[i + 1]))
            if jpeg[i + 1] == 0xDA { break }
            i = end
        }
        return result
    }

    /// Where the first scan's entropy-coded data starts.
    static func scanStart(_ jpeg: [UInt8]) -> Int { segments(jpeg).last { $0.marker == 0xDA }!.end }

    /// The JPEG with its frame header (SOFn) claiming another size.
    static func withSize(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8] {
        var bytes = jpeg
        let sof = segments(jpeg).first { (0xC0...0xCF).contains($0.marker) && ![0xC4, 0xC8, 0xCC].contains($0.marker) }!
        bytes[sof.start + 5] = UInt8(height >> 8); bytes[sof.start + 6] = UInt8(height & 0xFF)
        bytes[sof.start + 7] = UInt8(width >> 8); bytes[sof.start + 8] = UInt8(width & 0xFF)
        return bytes
    }

    /// A small valid baseline JPEG whose 8x8 blocks hold only a DC value (a blocky pattern),
    /// with 1 (grey), 3 or 4 components; `adobeTransform` adds an Adobe marker (0: CMYK, 2: YCCK).
    static func tinyJPEG(width: Int, height: Int, components: Int, adobeTransform: UInt8? = nil) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        func segment(_ marker: UInt8, _ payload: [UInt8]) {
            out += [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
        if let adobeTransform { segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, adobeTransform]) }
        segment(0xDB, [0] + [UInt8](repeating: 8, count: 64))
        var frame: [UInt8] = [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), UInt8(components)]
        for c in 0..<components { frame += [UInt8(c + 1), 0x11, 0] }
        segment(0xC0, frame)
        var counts = [UInt8](repeating: 0, count: 16)
        counts[3] = 12   // DC: categories 0...11, 4-bit codes
        segment(0xC4, [0x00] + counts + (0..<12).map { UInt8($0) })
        counts = [UInt8](repeating: 0, count: 16)
        counts[0] = 1    // AC: only end-of-block, code "0"
        segment(0xC4, [0x10] + counts + [0])
        var scan: [UInt8] = [UInt8(components)]
        for c in 0..<components { scan += [UInt8(c + 1), 0] }
        segment(0xDA, scan + [0, 63, 0])
        var bits = BitWriter()
        var predictors = [Int](repeating: 0, count: components)
        for by in 0..<((height + 7) / 8) {
            for bx in 0..<((width + 7) / 8) {
                for c in 0..<components {
                    let level = (37 * c + 11 * bx + 7 * by + (bx * by) % 23) % 256
                    let dc = level - 128   // DC coefficient / quantisation step 8 = mean sample - 128
                    let diff = dc - predictors[c]
                    predictors[c] = dc
                    let size = Int.bitWidth - abs(diff).leadingZeroBitCount
                    bits.put(size, 4)
                    if size > 0 { bits.put(diff > 0 ? diff : diff + (1 << size) - 1, size) }
                    bits.put(0, 1)
                }
            }
        }
        bits.flush()
        return out + bits.bytes + [0xFF, 0xD9]
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        private var accumulator = 0, count = 0
        mutating func put(_ value: Int, _ length: Int) {
            for i in stride(from: length - 1, through: 0, by: -1) {
                accumulator = accumulator << 1 | (value >> i) & 1
                count += 1
                if count == 8 {
                    bytes.append(UInt8(accumulator))
                    if accumulator == 0xFF { bytes.append(0) }   // byte stuffing
                    accumulator = 0; count = 0
                }
            }
        }
        mutating func flush() { if count > 0 { put((1 << (8 - count)) - 1, 8 - count) } }
    }
}
