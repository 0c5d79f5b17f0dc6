import Foundation
import TestSupport
import XCTest

/// Tar shards as input (WebDataset's layout: KEY.jpg beside KEY.cls): the same results as
/// the same photos loose, whatever the ranks and schedule, placement out of the shards,
/// --resume, and one specific row for each kind of bad shard. Shards are made at test time
/// from the dev photos, by Python's tarfile or byte by byte (TarWriter).
final class TarShardTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// 41 dev photos as 3 shards (pax, GNU and ustar tarfile formats) against the same photos
    /// loose: label, score and raw identical for -np 1 and 3, static and dynamic, from the
    /// shards' folder, one shard, or a manifest naming the shards; the path is
    /// `<shard>/<member>`; the photos placed (link falls back to copy, and copy) are the
    /// loose run's; --resume on a finished output changes nothing.
    func testShardsGiveTheSameResultsAsTheLoosePhotos() throws {
        let photos = try TestData.devPhotos(every: 50).map { URL(fileURLWithPath: $0) }
        XCTAssertEqual(Set(photos.map(\.lastPathComponent)).count, photos.count, "member names must be distinct")
        let folder = directory.appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let chunks = [photos[0..<14], photos[14..<28], photos[28...]]
        var shardOf: [URL] = []   // the shard of each photo, in order
        for (k, (chunk, format)) in zip(chunks, [PythonTar.Format.pax, .gnu, .ustar]).enumerated() {
            let shard = folder.appendingPathComponent(String(format: "shard-%06d.tar", k))
            try PythonTar.write(shard, members: chunk.flatMap { photo in
                [(photo.lastPathComponent, photo), (photo.deletingPathExtension().lastPathComponent + ".cls", nil)]
            }, format: format)
            shardOf += chunk.map { _ in shard }
        }

        let loose = directory.appendingPathComponent("out-loose")
        let looseRun = try dogcat(1, ["--input", try writeLines(photos.map(\.path), to: "loose.txt").path, "--output", loose.path, "--quiet"])
        XCTAssertEqual(looseRun.status, 0, looseRun.stderr)
        let reference = try results(loose)
        XCTAssertEqual(reference.count, photos.count)
        XCTAssertEqual(Set(reference.map { $0[4] }), ["ok"])
        let loosePlaced = try placedPhotos(loose)
        XCTAssertEqual(loosePlaced.count, photos.count)

        let manifest = try writeLines(["path,label"] + (0..<3).map { String(format: "shards/shard-%06d.tar,cat", $0) }, to: "shards.csv")
        let cases: [(ranks: Int, arguments: [String], prefix: (Int) -> String)] = [
            (1, ["--input", folder.path], { shardOf[$0].path }),
            (3, ["--input", folder.path, "--place", "copy"], { shardOf[$0].path }),
            (3, ["--input", folder.path, "--schedule", "dynamic", "--batch-size", "4"], { shardOf[$0].path }),
            (2, ["--input", manifest.path, "--schedule", "dynamic", "--batch-size", "3"], { "shards/" + shardOf[$0].lastPathComponent }),
        ]
        for (n, run) in cases.enumerated() {
            let output = directory.appendingPathComponent("out-\(n)")
            let job = try dogcat(run.ranks, run.arguments + ["--output", output.path, "--quiet"])
            XCTAssertFalse(job.timedOut, "case \(n) hung")
            XCTAssertEqual(job.status, 0, "case \(n): \(job.stderr)")
            let rows = try results(output)
            XCTAssertEqual(rows.count, photos.count, "case \(n): one row per member photo")
            for (i, (row, expected)) in zip(rows, reference).enumerated() {
                XCTAssertEqual(row[0], run.prefix(i) + "/" + photos[i].lastPathComponent, "case \(n): path")
                XCTAssertEqual(Array(row[1...]), Array(expected[1...]), "case \(n): \(row[0]) differs from the loose photo")
            }
            XCTAssertEqual(try placedPhotos(output), loosePlaced, "case \(n): placed photos differ")
        }

        // --resume on a finished output: nothing redone, rewritten or placed again.
        let finished = directory.appendingPathComponent("out-2")
        var before = try FileTreeSnapshot.take(finished)
        let again = try dogcat(2, ["--input", folder.path, "--output", finished.path, "--quiet", "--resume", "--schedule", "dynamic"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(RunReport.processedImages(again.stdout), 0, again.stdout)
        var after = try FileTreeSnapshot.take(finished)
        XCTAssertNotNil(after.removeValue(forKey: "timing.json"))
        XCTAssertNotNil(before.removeValue(forKey: "timing.json"))
        XCTAssertEqual(after, before, "--resume changed a finished output")

        // An output cut after its 20th row (as a killed run leaves it): --resume keeps the
        // member rows (their paths are checked against the list) and does the other 21.
        let csvURL = finished.appendingPathComponent("results.csv")
        let whole = try Data(contentsOf: csvURL)
        let lineEnds = whole.enumerated().filter { $0.element == UInt8(ascii: "\n") }.map(\.offset)
        try whole.prefix(lineEnds[20] + 1).write(to: csvURL)
        let resumed = try dogcat(3, ["--input", folder.path, "--output", finished.path, "--quiet", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(RunReport.processedImages(resumed.stdout), photos.count - 20, resumed.stdout)
        XCTAssertEqual(try Data(contentsOf: csvURL), whole, "the resumed results.csv differs")
        XCTAssertEqual(try placedPhotos(finished), loosePlaced)

        // --input one shard.
        let single = directory.appendingPathComponent("out-single")
        let job = try dogcat(2, ["--input", shardOf[0].path, "--output", single.path, "--quiet", "--place", "none"])
        XCTAssertEqual(job.status, 0, job.stderr)
        XCTAssertEqual(try results(single).map { $0[0] }, (0..<14).map { shardOf[0].path + "/" + photos[$0].lastPathComponent })
        XCTAssertEqual(try results(single).map { Array($0[1...]) }, reference.prefix(14).map { Array($0[1...]) })
    }

    /// A 12 GiB shard (a sparse file: a 12 GiB `.bin` member, its size in base-256, before
    /// two photos): the photos after it are classified and no rank's memory grows with the
    /// shard (its headers are read, never its data).
    func testHugeShardIsNeverInMemory() throws {
        let folder = directory.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let shard = folder.appendingPathComponent("huge.tar")
        let hole: Int64 = 12 << 30
        XCTAssertTrue(FileManager.default.createFile(atPath: shard.path, contents: nil))
        let file = try FileHandle(forWritingTo: shard)
        try file.write(contentsOf: TarWriter.header(name: Array("huge.bin".utf8), size: hole, base256: true))
        try file.truncate(atOffset: UInt64(512 + hole))   // a hole: no disk blocks, reads as zeros
        try file.seekToEnd()
        for stem in ["cat.10", "dog.1"] {
            try file.write(contentsOf: TarWriter.file("\(stem).jpg", [UInt8](try Data(contentsOf: TestData.photo(stem: stem)))))
        }
        try file.write(contentsOf: TarWriter.end)
        try file.close()
        let output = directory.appendingPathComponent("out")
        let run = try dogcat(2, ["--input", shard.path, "--output", output.path, "--place", "none"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try results(output)
        XCTAssertEqual(rows.map { $0[0] }, [shard.path + "/cat.10.jpg", shard.path + "/dog.1.jpg"])
        XCTAssertEqual(rows.map { $0[4] }, ["ok", "ok"])
        let ranks = RunReport.rankTable(run.stdout)
        XCTAssertEqual(ranks.count, 2, run.stdout)
        for rank in ranks { XCTAssertLessThan(rank.peakMB, 300, "rank \(rank.rank): \(run.stdout)") }
    }

    /// Ranks that list different inputs (here: a relative --input from two working
    /// directories, as on nodes whose file systems differ) stop together with one error
    /// instead of sharing out lists that do not match.
    func testRanksThatListDifferentInputsStopTogether() throws {
        let photo = TestData.photo(stem: "cat.10")
        for (name, count) in [("a", 2), ("b", 3)] {
            let folder = directory.appendingPathComponent("\(name)/in")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<count { try FileManager.default.copyItem(at: photo, to: folder.appendingPathComponent("p\(i).jpg")) }
        }
        let arguments = ["--model", TestData.catsordogsModel.path, "--input", "in", "--output", directory.appendingPathComponent("out").path, "--quiet"]
        // Two app contexts (MPMD): rank 0 works in a/, rank 1 in b/.
        let run = try MPIRun.run(ranks: 1, arguments + [":", "-np", "1", "-wdir", directory.appendingPathComponent("b").path, TestData.binary.path] + arguments,
                                 timeout: 60, extraMPIArguments: ["-wdir", directory.appendingPathComponent("a").path])
        XCTAssertFalse(run.timedOut, "a rank hung")
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors, ["error: the ranks listed different numbers of inputs (2 to 3): does every node see the same --input?"], run.stderr)
    }

    /// Bad shards between good ones: a shard cut inside a member (the members before the cut
    /// are classified), a member that is a truncated JPEG, a corrupt header (one row for the
    /// rest of the shard, naming the offset), a shard that is not a tar, an empty one. One
    /// specific row each, every other photo classified, the same file for -np 1 and 3.
    func testBadShardsAreOneRowEach() throws {
        let folder = directory.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stems = ["cat.10", "dog.1", "Cat1002", "000bec180eb18c7604dcecc8fe0dba07"]
        let photo = try stems.map { [UInt8](try Data(contentsOf: TestData.photo(stem: $0))) }
        func member(_ k: Int) -> [UInt8] { TarWriter.file("\(stems[k]).jpg", photo[k]) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        enum Row { case ok(String), error(String, String, reason: String), errorPrefix(String, String, reason: String) }
        var expected: [Row] = []

        let good = try write("a-good.tar", member(0) + TarWriter.file("cat.10.cls", [49]) + member(1) + TarWriter.end)
        expected += [.ok(good + "/cat.10.jpg"), .ok(good + "/dog.1.jpg")]

        let first = member(2), second = member(3)
        let cutAt = first.count + 512 + 1000
        let cut = try write("b-cut.tar", Array((first + second + TarWriter.end).prefix(cutAt)))
        expected += [.ok(cut + "/Cat1002.jpg"),
                     .error(cut + "/000bec180eb18c7604dcecc8fe0dba07.jpg",
                            "tar member cut by the end of the shard: \(photo[3].count) bytes from byte \(first.count + 512), the shard has \(cutAt)",
                            reason: "truncated tar shard")]

        let truncatedJPEG = try write("c-truncated-member.tar", TarWriter.file("half.jpg", Array(photo[0].prefix(photo[0].count / 2))) + member(1) + TarWriter.end)
        expected += [.error(truncatedJPEG + "/half.jpg", "truncated JPEG (Premature end of JPEG file)", reason: "truncated JPEG"),
                     .ok(truncatedJPEG + "/dog.1.jpg")]

        var broken = member(1)
        broken[0] ^= 0x20
        let corrupt = try write("d-corrupt.tar", member(0) + broken + member(2) + TarWriter.end)
        expected += [.ok(corrupt + "/cat.10.jpg"),
                     .errorPrefix(corrupt, "corrupt tar header at byte \(member(0).count): header checksum", reason: "corrupt tar shard")]

        let notATar = try write("e-not-a-tar.tar", photo[0])
        expected += [.errorPrefix(notATar, "not a tar archive (header checksum", reason: "not a tar")]
        let empty = try write("f-empty.tar", [])
        expected += [.error(empty, "empty tar shard (0 bytes)", reason: "empty file")]
        let loose = try write("g-loose.jpg", photo[3])
        expected += [.ok(loose)]

        var files: [Data] = []
        for (ranks, schedule) in [(1, "static"), (3, "dynamic")] {
            let output = directory.appendingPathComponent("out-\(ranks)")
            let run = try dogcat(ranks, ["--input", folder.path, "--output", output.path, "--quiet", "--batch-size", "2", "--schedule", schedule])
            XCTAssertFalse(run.timedOut, "the job hung")
            XCTAssertEqual(run.status, 0, run.stderr)
            let rows = try results(output)
            XCTAssertEqual(rows.count, expected.count, "one row per photo member or bad shard: \(rows.map { $0[0] })")
            var reasons: [String: Int] = [:]
            for (row, want) in zip(rows, expected) {
                switch want {
                case .ok(let path):
                    XCTAssertEqual(row[0], path)
                    XCTAssertEqual(row[4], "ok", "\(row)")
                case .error(let path, let text, let reason):
                    XCTAssertEqual(row[0], path)
                    XCTAssertEqual(Array(row[1...]), ["", "", "", "error", text])
                    reasons[reason, default: 0] += 1
                case .errorPrefix(let path, let text, let reason):
                    XCTAssertEqual(row[0], path)
                    XCTAssertEqual(Array(row[1...4]), ["", "", "", "error"])
                    XCTAssertTrue(row[5].hasPrefix(text), "\(row[5]) should start with \(text)")
                    reasons[reason, default: 0] += 1
                }
            }
            let text = reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            XCTAssertTrue(run.stdout.contains("\nfailures: \(text)\n"), "expected failures: \(text)\n\(run.stdout)")
            // The same good photos as loose files give the same values.
            let okRows = rows.filter { $0[4] == "ok" }
            XCTAssertEqual(okRows.count, 6)
            XCTAssertEqual(okRows.first { $0[0].hasSuffix("a-good.tar/cat.10.jpg") }.map { Array($0[1...]) },
                           okRows.first { $0[0].hasSuffix("d-corrupt.tar/cat.10.jpg") }.map { Array($0[1...]) })
            XCTAssertEqual(try placedPhotos(output).count, 6)
            files.append(try Data(contentsOf: output.appendingPathComponent("results.csv")))
        }
        XCTAssertEqual(files[0], files[1], "results.csv differs between -np 1 and -np 3 dynamic")
    }
}
