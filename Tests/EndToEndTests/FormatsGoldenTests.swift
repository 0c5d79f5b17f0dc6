import Foundation
import TestSupport
import XCTest

/// PNG, GIF, WebP and BMP against TensorFlow's own outputs for the same files
/// (../shared/data/formats, ../shared/goldens/formats_predictions.csv): every photo there
/// re-encoded from a dev photo, including PNG/WebP files named .jpg/.jpeg, read with
/// decode_jpeg(channels=3), or decode_image(expand_animations=False) for BMP and animated GIFs.
final class FormatsGoldenTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    let formats = TestData.shared.appendingPathComponent("data/formats")

    func goldens() throws -> [String: [String: String]] {
        let rows = try TestData.csvRows(TestData.goldens.appendingPathComponent("formats_predictions.csv"))
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["file"]!, $0) })
    }

    /// The whole folder through the program (-np 2, the directory listing), one row per file.
    func run(model: URL, _ name: String) throws -> [String: [String: String]] {
        let output = directory.appendingPathComponent(name)
        let run = try MPIRun.run(ranks: 2, ["--model", model.path, "--input", formats.path, "--output", output.path,
                                            "--place", "none", "--batch-size", "8", "--quiet"], timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try ResultsFile(output.appendingPathComponent("results.csv")).rows
        return Dictionary(uniqueKeysWithValues: rows.map { (URL(fileURLWithPath: $0["path"]!).lastPathComponent, $0) })
    }

    func testCatsOrDogsScoresMatchTensorFlow() throws {
        let expected = try goldens()
        let rows = try run(model: TestData.catsordogsModel, "catsordogs")
        XCTAssertEqual(Set(rows.keys), Set(expected.keys), "the listing takes every format, .PNG included")
        XCTAssertTrue(Set(expected.values.map { $0["decoder"]! }).isSuperset(of: ["decode_jpeg", "decode_image"]))
        var worst = 0.0
        for (file, golden) in expected {
            let row = try XCTUnwrap(rows[file], file)
            XCTAssertEqual(row["status"], "ok", "\(file): \(row["error"] ?? "")")
            let score = try XCTUnwrap(Double(golden["catsordogs_score"]!))
            let raw = try XCTUnwrap(Double(row["raw"] ?? ""), "\(file): raw")
            XCTAssertEqual(row["label"], score >= 0.5 ? "dog" : "cat", file)
            worst = max(worst, abs(raw - score))
        }
        XCTAssertLessThanOrEqual(worst, 1e-4)
    }

    func testMobileNetV2LogitsMatchTensorFlow() throws {
        let expected = try goldens()
        let rows = try run(model: TestData.shared.appendingPathComponent("models/mobilenetv2_catdog.h5"), "mobilenetv2")
        var worst: Float = 0
        for (file, golden) in expected {
            let row = try XCTUnwrap(rows[file], file)
            XCTAssertEqual(row["status"], "ok", "\(file): \(row["error"] ?? "")")
            let logits = try XCTUnwrap(row["raw"]).split(separator: ";").compactMap { Float($0) }
            let cat = try XCTUnwrap(Float(golden["mobilenetv2_logit_cat"]!)), dog = try XCTUnwrap(Float(golden["mobilenetv2_logit_dog"]!))
            XCTAssertEqual(logits.count, 2, file)
            guard logits.count == 2 else { continue }
            XCTAssertEqual(row["label"], dog > cat ? "dog" : "cat", file)
            worst = max(worst, abs(logits[0] - cat), abs(logits[1] - dog))
        }
        XCTAssertLessThanOrEqual(worst, 1e-3)
    }
}
