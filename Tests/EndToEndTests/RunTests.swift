import Foundation
import TestSupport
import XCTest

/// The binary under mpirun, as a user runs it: answers against TensorFlow's, identical
/// results for any rank count, clean failure on a bad model.
final class RunTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func manifest(_ lines: [String], name: String = "list.txt") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// `mpirun -np 2 dogcat-mpi` with no arguments: data/samples with models/catsordogs.h5 into out/.
    func testDefaultRunClassifiesTheSamples() throws {
        for name in ["models", "data"] {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent(name),
                                                       withDestinationURL: TestData.repository.appendingPathComponent(name))
        }
        let run = try MPIRun.run(ranks: 2, [], in: directory, timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        let results = try ResultsFile(directory.appendingPathComponent("out/results.csv"))
        let keras = try TestData.csvRows(TestData.goldens.appendingPathComponent("seed_predictions.csv"))
        XCTAssertEqual(results.rows.map { $0["path"]! }, ["data/samples/test1.jpeg", "data/samples/test2.jpeg"])
        for row in results.rows {
            let expected = keras.first { $0["file"] == URL(fileURLWithPath: row["path"]!).lastPathComponent }!
            XCTAssertEqual(row["label"], expected["catsordogs_label"])
            XCTAssertEqual(Double(row["raw"]!)!, Double(expected["catsordogs_score"]!)!, accuracy: 1e-4)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out/cat/test1.jpeg").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out/dog/test2.jpeg").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out/timing.json").path))
        XCTAssertTrue(run.stdout.contains("images/s"), run.stdout)
    }

    /// All 2,002 dev photos: every label equals Keras's, scores within 1e-4, accuracy printed.
    func testEveryDevPhotoMatchesKeras() throws {
        let output = directory.appendingPathComponent("out")
        let run = try MPIRun.run(ranks: 2, ["--input", TestData.photos.appendingPathComponent("labels.csv").path,
                                            "--output", output.path, "--place", "none", "--quiet"], timeout: 600)
        XCTAssertEqual(run.status, 0, run.stderr)
        let keras = Dictionary(uniqueKeysWithValues: try TestData.csvRows(TestData.goldens.appendingPathComponent("keras_predictions.csv")).map { ($0["file"]!, $0) })
        let results = try ResultsFile(output.appendingPathComponent("results.csv"))
        XCTAssertEqual(results.rows.count, 2002)
        var maxDifference = 0.0, mismatches: [String] = []
        for row in results.rows {
            guard let expected = keras[row["path"]!], row["status"] == "ok" else { XCTFail("unexpected row \(row)"); continue }
            maxDifference = max(maxDifference, abs(Double(row["raw"]!)! - Double(expected["catsordogs_score"]!)!))
            if row["label"] != expected["catsordogs_label"] { mismatches.append(row["path"]!) }
        }
        XCTAssertEqual(mismatches, [])
        XCTAssertLessThanOrEqual(maxDifference, 1e-4)
        XCTAssertTrue(run.stdout.contains("accuracy: 78.62% (1574 of 2002 labeled photos)"), run.stdout)
    }

    func testSeedPhotosMatchKeras() throws {
        let keras = try TestData.csvRows(TestData.goldens.appendingPathComponent("seed_predictions.csv"))
        let seeds = keras.map(\.["file"]!).filter { !$0.hasPrefix("test") }
        let list = try manifest(seeds.map { TestData.seedPhotos.appendingPathComponent($0).path })
        let output = directory.appendingPathComponent("out")
        let run = try MPIRun.run(ranks: 2, ["--input", list.path, "--output", output.path, "--quiet"], timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try ResultsFile(output.appendingPathComponent("results.csv")).rows
        XCTAssertEqual(rows.count, 6)
        for (row, expected) in zip(rows, keras.filter { !$0["file"]!.hasPrefix("test") }) {
            XCTAssertEqual(row["label"], expected["catsordogs_label"], row["path"]!)
            XCTAssertEqual(Double(row["raw"]!)!, Double(expected["catsordogs_score"]!)!, accuracy: 1e-4)
        }
    }

    /// results.csv and the placed files are the same for 1, 2 and 3 (oversubscribed) ranks.
    func testResultsAreIdenticalForAnyRankCount() throws {
        let photos = try FileManager.default.contentsOfDirectory(atPath: TestData.photos.appendingPathComponent("cats").path).sorted().prefix(60).map { "cats/\($0)" }
            + FileManager.default.contentsOfDirectory(atPath: TestData.photos.appendingPathComponent("dogs").path).sorted().prefix(60).map { "dogs/\($0)" }
        // Relative paths (resolved against the manifest's folder) and one photo listed twice.
        let list = directory.appendingPathComponent("list.txt")
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("cats"), withDestinationURL: TestData.photos.appendingPathComponent("cats"))
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("dogs"), withDestinationURL: TestData.photos.appendingPathComponent("dogs"))
        try Data(((photos + [photos[3]]).joined(separator: "\n") + "\n").utf8).write(to: list)
        var reference: (csv: Data, placed: [String])? = nil
        for ranks in [1, 2, 3] {
            let output = directory.appendingPathComponent("out\(ranks)")
            let run = try MPIRun.run(ranks: ranks, ["--input", list.path, "--output", output.path, "--batch-size", "7", "--quiet"], timeout: 300)
            XCTAssertEqual(run.status, 0, run.stderr)
            let csv = try Data(contentsOf: output.appendingPathComponent("results.csv"))
            let placed = try ["cat", "dog"].flatMap { label in
                try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent(label).path).map { "\(label)/\($0)" }
            }.sorted()
            XCTAssertEqual(placed.count, 121)
            if let reference {
                XCTAssertEqual(csv, reference.csv, "results.csv differs at -np \(ranks)")
                XCTAssertEqual(placed, reference.placed, "placement differs at -np \(ranks)")
            } else {
                reference = (csv, placed)
            }
        }
        XCTAssertTrue(reference!.placed.contains { $0.contains("~1.") }, "the photo listed twice gets a suffix")
    }

    /// A missing or corrupt model: one clear line, non-zero exit on every rank, promptly.
    func testBadModelStopsEveryRankPromptly() throws {
        let notAModel = directory.appendingPathComponent("model.h5")
        try Data("this is not HDF5".utf8).write(to: notAModel)
        for model in [directory.appendingPathComponent("missing.h5"), notAModel] {
            let run = try MPIRun.run(ranks: 3, ["--model", model.path, "--input", TestData.samples.path,
                                                "--output", directory.appendingPathComponent("out").path], timeout: 60)
            XCTAssertFalse(run.timedOut, "a rank hung")
            XCTAssertNotEqual(run.status, 0)
            XCTAssertLessThan(run.seconds, 20)
            let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, run.stderr)
            XCTAssertTrue(errors.first?.contains(model.lastPathComponent) == true, run.stderr)
        }
    }

    /// The dynamic schedule where Open MPI cannot make its one-sided window (rdma over the TCP
    /// BTL, as on a cluster without InfiniBand): the error names the way out, and nobody hangs.
    func testDynamicScheduleWithoutAWindowSaysWhatToDo() throws {
        let run = try MPIRun.run(ranks: 2, ["--input", TestData.samples.path, "--output", directory.appendingPathComponent("out").path,
                                            "--schedule", "dynamic", "--quiet"],
                                 timeout: 60, extraMPIArguments: ["--mca", "btl", "self,tcp", "--mca", "osc", "rdma"])
        XCTAssertFalse(run.timedOut, "a rank hung")
        if run.status == 0 { throw XCTSkip("this Open MPI makes an rdma window over TCP: nothing to explain") }
        XCTAssertTrue(run.stderr.contains("MPI_Win_allocate failed"), run.stderr)
        XCTAssertTrue(run.stderr.contains("--mca osc pt2pt"), run.stderr)
    }

    /// Unreadable photos are rows with the reason; the good ones are still classified.
    func testBadPhotosBecomeErrorRows() throws {
        let good = TestData.photo(stem: "cat.10")
        let bytes = try Data(contentsOf: good)
        let folder = directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("dir.jpg"), withIntermediateDirectories: true)
        try bytes.write(to: folder.appendingPathComponent("a_good.jpg"))
        try Data().write(to: folder.appendingPathComponent("b_empty.jpg"))
        try bytes.prefix(bytes.count / 2).write(to: folder.appendingPathComponent("c_truncated.jpg"))
        try Data("hello".utf8).write(to: folder.appendingPathComponent("d_text.jpg"))
        let list = try manifest(["a_good.jpg", "b_empty.jpg", "c_truncated.jpg", "d_text.jpg", "dir.jpg", "missing.jpg"].map { folder.appendingPathComponent($0).path })
        let output = directory.appendingPathComponent("out")
        let run = try MPIRun.run(ranks: 2, ["--input", list.path, "--output", output.path, "--quiet"], timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try ResultsFile(output.appendingPathComponent("results.csv")).rows
        XCTAssertEqual(rows.map { $0["status"]! }, ["ok", "error", "error", "error", "error", "error"])
        XCTAssertEqual(rows[1]["error"], "empty file")
        XCTAssertTrue(rows[2]["error"]!.hasPrefix("truncated JPEG"), rows[2]["error"]!)
        XCTAssertEqual(rows[3]["error"], "unsupported format (text)")
        XCTAssertEqual(rows[4]["error"], "is a directory, not a file")
        XCTAssertEqual(rows[5]["error"], "file not found")
        XCTAssertTrue(run.stdout.contains("5 failed"), run.stdout)
    }
}
