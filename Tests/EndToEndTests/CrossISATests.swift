import Foundation
import TestSupport
import XCTest

/// The AVX-512 build (the suite's own binary, built for this CPU) and an AVX2 build
/// (`DOGCAT_TARGET_CPU=x86-64-v3`, its own scratch path) write byte-identical results.csv
/// files: every kernel sums each output in the same order whatever its vector width and
/// register tile. Needs a CPU that runs both builds: x86_64 with AVX-512; skipped elsewhere.
final class CrossISATests: XCTestCase {
    static let avx2ScratchPath = TestData.repository.appendingPathComponent(".build-x86-64-v3")
    static var avx2Binary: URL { avx2ScratchPath.appendingPathComponent("release/dogcat-mpi") }

    var directory: URL!
    override func setUpWithError() throws {
        try Self.skipUnlessBothBuildsRun()
        directory = try TestData.temporaryDirectory()
        try Self.buildAVX2Binary()
    }
    override func tearDownWithError() throws { if let directory { try? FileManager.default.removeItem(at: directory) } }

    /// The default model on all 2,002 dev photos.
    func testDefaultModelResultsAreIdenticalOnAVX2AndAVX512() throws {
        try compareBuilds(["--input", TestData.photos.appendingPathComponent("labels.csv").path], expectedRows: 2002)
    }

    /// MobileNetV2 (1x1 convolutions, depthwise, adds, global pooling, dense) on 300 photos.
    func testMobileNetV2ResultsAreIdenticalOnAVX2AndAVX512() throws {
        let model = TestData.shared.appendingPathComponent("models/mobilenetv2_catdog.h5")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: model.path), "no \(model.path)")
        try compareBuilds(["--input", TestData.photos.appendingPathComponent("labels.csv").path, "--model", model.path,
                           "--limit", "300"], expectedRows: 300)
    }

    func compareBuilds(_ arguments: [String], expectedRows: Int) throws {
        var files: [Data] = []
        for (name, binary) in [("avx512", TestData.binary), ("avx2", Self.avx2Binary)] {
            let output = directory.appendingPathComponent(name)
            let run = try MPIRun.run(ranks: 2, arguments + ["--output", output.path, "--place", "none", "--quiet"],
                                     timeout: 600, executable: binary)
            XCTAssertFalse(run.timedOut, "\(name) build timed out")
            XCTAssertEqual(run.status, 0, "\(name) build failed: \(run.stderr)")
            let results = try ResultsFile(output.appendingPathComponent("results.csv"))
            XCTAssertEqual(results.rows.count, expectedRows)
            XCTAssertEqual(results.rows.filter { $0["status"] != "ok" }.count, 0)
            files.append(results.bytes)
        }
        // Byte for byte; on a difference, the first differing line says where.
        if files[0] != files[1] {
            let lines = files.map { String(decoding: $0, as: UTF8.self).split(separator: "\n") }
            let first = zip(lines[0], lines[1]).first { $0 != $1 }
            XCTFail("results.csv differs between the AVX-512 and AVX2 builds: \(first.map { "\($0.0) vs \($0.1)" } ?? "line count")")
        }
    }

    /// Skips (reported as skipped, with the reason) where this CPU cannot run both builds.
    static func skipUnlessBothBuildsRun() throws {
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: &system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        try XCTSkipUnless(machine == "x86_64", "cross-ISA identity needs an x86_64 CPU with AVX-512 (this is \(machine))")
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        try XCTSkipUnless(flags.contains("avx512f"), "cross-ISA identity needs AVX-512 to run both builds (no avx512f in /proc/cpuinfo)")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: TestData.binary.path), "no \(TestData.binary.path)")
        try XCTSkipIf(ProcessInfo.processInfo.environment["DOGCAT_TARGET_CPU"].map { $0 != "native" } ?? false,
                      "DOGCAT_TARGET_CPU is set: the suite's own binary is not the native AVX-512 build")
    }

    /// Builds (or brings up to date: seconds when nothing changed) the AVX2 binary in its own
    /// scratch path. scripts/test.sh builds it first, so this normally finds it current.
    static func buildAVX2Binary() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "swift build $(DOGCAT_TARGET_CPU=x86-64-v3 scripts/build-flags.sh) --scratch-path \(avx2ScratchPath.path) --product dogcat-mpi"]
        process.currentDirectoryURL = TestData.repository
        let log = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: log) }
        let logURL = log.appendingPathComponent("build.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: logURL)
        process.standardError = process.standardOutput
        try process.run()
        let timedOut = process.waitUntilExit(timeout: 3600, grace: 5)
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        guard !timedOut && process.terminationStatus == 0 else {
            throw BuildFailure(log: String(text.suffix(2000)))
        }
    }

    struct BuildFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "building the x86-64-v3 binary failed:\n\(log)" }
    }
}
