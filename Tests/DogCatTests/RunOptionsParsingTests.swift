import ArgumentParser
import FileSystem
import Pipeline
import XCTest

/// argv parsed into RunOptions' fields, at swift-argument-parser's end-to-end level.
final class RunOptionsParsingTests: XCTestCase {
    func testNoArgumentsGiveTheDefaults() throws {
        let options = try RunOptions.parse([])
        XCTAssertEqual(options.input, "data/samples")
        XCTAssertEqual(options.inputPath, RawPath("data/samples"))
        XCTAssertEqual(options.model, "models/catsordogs.h5")
        XCTAssertEqual(options.output, "out")
        XCTAssertEqual(options.batchSize, 32)
        XCTAssertEqual(options.classes.names, ["cat", "dog"])
        XCTAssertEqual(options.threshold, 0.5)
        XCTAssertEqual(options.place, .link)
        XCTAssertEqual(options.maxPixels, 100_000_000)
        XCTAssertFalse(options.fastDecode)
        XCTAssertFalse(options.resume)
        XCTAssertFalse(options.overwrite)
        XCTAssertFalse(options.quiet)
        XCTAssertEqual(options.schedule, .static)
        XCTAssertNil(options.maxFailures)
        XCTAssertNil(options.limit)
        XCTAssertFalse(options.dryRun)
        XCTAssertFalse(options.prefetch)
        XCTAssertEqual(options.cacheMegabytes, 64)
        XCTAssertEqual(options.roundSeconds, 1.0)
    }

    func testEveryOptionReachesItsField() throws {
        let options = try RunOptions.parse([
            "--input", "list.csv", "--model", "m.onnx", "--output", "results", "--batch-size", "8", "--classes", "a,b,c",
            "--threshold", "0.25", "--place", "symlink", "--max-pixels", "1000", "--fast-decode", "--resume", "--quiet",
            "--schedule", "dynamic", "--max-failures", "5%", "--limit", "7", "--dry-run", "--prefetch", "--cache-mb", "0",
            "--round-seconds", "0.5",
        ])
        XCTAssertEqual(options.inputPath, RawPath("list.csv"))
        XCTAssertEqual(options.model, "m.onnx")
        XCTAssertEqual(options.outputPath, RawPath("results"))
        XCTAssertEqual(options.batchSize, 8)
        XCTAssertEqual(options.classes.names, ["a", "b", "c"])
        XCTAssertEqual(options.threshold, 0.25)
        XCTAssertEqual(options.place, .symlink)
        XCTAssertEqual(options.maxPixels, 1000)
        XCTAssertTrue(options.fastDecode && options.resume && options.quiet && options.dryRun && options.prefetch)
        XCTAssertEqual(options.schedule, .dynamic)
        XCTAssertEqual(options.maxFailures, .percent(5))
        XCTAssertEqual(options.limit, 7)
        XCTAssertEqual(options.cacheMegabytes, 0)
        XCTAssertEqual(options.roundSeconds, 0.5)
        XCTAssertFalse(try RunOptions.parse(["--prefetch", "--no-prefetch"]).prefetch)
    }

    /// --overwrite is its own flag (--resume is tested with every option above); the two together are refused in validate().
    func testOverwriteReachesItsField() throws {
        let options = try RunOptions.parse(["--overwrite", "--output", "results"])
        XCTAssertTrue(options.overwrite)
        XCTAssertFalse(options.resume)
        XCTAssertThrowsError(try RunOptions.parse(["--resume", "--overwrite"]))
    }

    func testMaxFailuresIsACountOrAPercentage() throws {
        XCTAssertEqual(try RunOptions.parse(["--max-failures", "10"]).maxFailures, .count(10))
        XCTAssertEqual(try RunOptions.parse(["--max-failures", "0%"]).maxFailures, .percent(0))
        for bad in ["5x", "-1", "101%", "%"] { XCTAssertThrowsError(try RunOptions.parse(["--max-failures", bad]), bad) }
    }

    /// One rule: split at every comma, so an empty name is seen and refused, not dropped.
    func testClassesSplitAtEveryComma() {
        XCTAssertEqual(ClassList(argument: "cat,,dog")?.names, ["cat", "", "dog"])
        XCTAssertEqual(ClassList(argument: "cat,dog,")?.names, ["cat", "dog", ""])
        XCTAssertThrowsError(try RunOptions.parse(["--classes", "cat,dog,"]))
    }

    func testValidationMessages() {
        let cases: [([String], String)] = [
            (["--batch-size", "0"], "--batch-size must be at least 1."),
            (["--max-pixels", "0"], "--max-pixels must be at least 1."),
            (["--classes", "cat"], "--classes needs at least two non-empty names without '/', e.g. cat,dog."),
            (["--classes", "cat,a/b"], "--classes needs at least two non-empty names without '/', e.g. cat,dog."),
            (["--classes", "cat,.."], "--classes needs at least two non-empty names without '/', e.g. cat,dog."),
            (["--classes", "a,a"], "--classes names must differ."),
            (["--threshold", "1"], "--threshold must be between 0 and 1."),
            (["--threshold", "0"], "--threshold must be between 0 and 1."),
            (["--limit=-1"], "--limit must not be negative."),
            (["--cache-mb=-1"], "--cache-mb must not be negative."),
            (["--round-seconds", "0"], "--round-seconds must be positive."),
            (["--resume", "--overwrite"], "--resume and --overwrite exclude each other: --resume keeps the results in --output, --overwrite starts over."),
            (["--overwrite", "--resume"], "--resume and --overwrite exclude each other: --resume keeps the results in --output, --overwrite starts over."),
        ]
        for (arguments, message) in cases {
            XCTAssertThrowsError(try RunOptions.parse(arguments), "\(arguments)") { error in
                XCTAssertEqual(RunOptions.message(for: error), message, "\(arguments)")
            }
        }
    }

    func testPlaceAndScheduleTakeOnlyTheirNames() {
        for (option, values) in [("--place", ["link", "copy", "symlink", "none"]), ("--schedule", ["static", "dynamic"])] {
            for value in values { XCTAssertNoThrow(try RunOptions.parse([option, value]), value) }
            XCTAssertThrowsError(try RunOptions.parse([option, "Link"])) { error in
                XCTAssertEqual(RunOptions.message(for: error), "The value 'Link' is invalid for '\(option) <\(option.dropFirst(2))>'")
            }
        }
    }
}
