import Foundation
import TestSupport
import XCTest

/// The other models through the whole program: MobileNetV2 from Keras and ONNX, and the
/// default model's ONNX twin, against Keras's answers on dev photos.
final class ModelFormatTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Every 10th dev photo (201), as a CSV manifest with labels.
    func sampleManifest() throws -> URL {
        let rows = try TestData.csvRows(TestData.photos.appendingPathComponent("labels.csv"))
        let lines = ["path,label"] + rows.enumerated().filter { $0.offset % 10 == 0 }.map { "\(TestData.photos.path)/\($0.element["file"]!),\($0.element["label"]!)" }
        let url = directory.appendingPathComponent("sample.csv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    func run(model: String, _ manifest: URL, _ name: String) throws -> [[String: String]] {
        let output = directory.appendingPathComponent(name)
        let run = try MPIRun.run(ranks: 2, ["--model", TestData.shared.appendingPathComponent("models/\(model)").path, "--input", manifest.path,
                                            "--output", output.path, "--place", "none", "--quiet"], timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)
        return try ResultsFile(output.appendingPathComponent("results.csv")).rows
    }

    func kerasRows() throws -> [String: [String: String]] {
        Dictionary(uniqueKeysWithValues: try TestData.csvRows(TestData.goldens.appendingPathComponent("keras_predictions.csv")).map { ($0["file"]!, $0) })
    }

    func testMobileNetV2FromKerasAndONNXMatchesKeras() throws {
        let manifest = try sampleManifest()
        let keras = try kerasRows()
        for model in ["mobilenetv2_catdog.h5", "mobilenetv2_catdog.onnx"] {
            let rows = try run(model: model, manifest, model)
            XCTAssertEqual(rows.count, 201)
            var maxDifference: Float = 0
            for row in rows {
                let file = String(row["path"]!.dropFirst(TestData.photos.path.count + 1))
                let expected = keras[file]!
                XCTAssertEqual(row["label"], expected["mobilenetv2_label"], "\(model) \(file)")
                let logits = row["raw"]!.split(separator: ";").map { Float($0)! }
                maxDifference = max(maxDifference, abs(logits[0] - Float(expected["mobilenetv2_logit_cat"]!)!),
                                    abs(logits[1] - Float(expected["mobilenetv2_logit_dog"]!)!))
            }
            XCTAssertLessThanOrEqual(maxDifference, 1e-3, model)
        }
    }

    func testDefaultModelONNXTwinGivesTheSameLabels() throws {
        let manifest = try sampleManifest()
        let h5 = try MPIRun.run(ranks: 2, ["--input", manifest.path, "--output", directory.appendingPathComponent("h5").path,
                                           "--place", "none", "--quiet"], timeout: 300)
        XCTAssertEqual(h5.status, 0, h5.stderr)
        let fromH5 = try ResultsFile(directory.appendingPathComponent("h5/results.csv")).rows
        let fromONNX = try run(model: "catsordogs.onnx", manifest, "onnx")
        XCTAssertEqual(fromONNX.map { $0["label"]! }, fromH5.map { $0["label"]! })
        for (a, b) in zip(fromONNX, fromH5) { XCTAssertEqual(Double(a["raw"]!)!, Double(b["raw"]!)!, accuracy: 1e-5) }
    }

    /// The schedule and the decode thread change who does what, never the answers.
    func testScheduleAndPrefetchDoNotChangeResults() throws {
        let manifest = try sampleManifest()
        var outputs: [Data] = []
        for (name, extra) in [("static", []), ("dynamic", ["--schedule", "dynamic"]), ("no-prefetch", ["--no-prefetch", "--batch-size", "5"])] {
            let output = directory.appendingPathComponent(name)
            let run = try MPIRun.run(ranks: 2, ["--input", manifest.path, "--output", output.path, "--place", "none", "--quiet"] + extra, timeout: 300)
            XCTAssertEqual(run.status, 0, run.stderr)
            outputs.append(try Data(contentsOf: output.appendingPathComponent("results.csv")))
        }
        XCTAssertEqual(outputs[1], outputs[0], "dynamic differs from static")
        XCTAssertEqual(outputs[2], outputs[0], "no prefetch / batch 5 differs")
    }
}
