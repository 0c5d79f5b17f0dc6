import Foundation
import TestSupport
import XCTest

/// results.csv does not depend on how the work is split: rank count, batch size, schedule.
final class IdenticalResultsTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// -np 1 to 4 (3 and 4 oversubscribed on 2 cores), and the dynamic schedule: byte-identical
    /// results.csv. Batch sizes 1, 7 and 64: also byte-identical, so raw is bit-identical
    /// (raw is Swift's shortest round-trip text of the float).
    func testResultsAreByteIdenticalForAnyRankCountBatchSizeAndSchedule() throws {
        let folder = directory.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let photo = [UInt8](try Data(contentsOf: TestData.photo(stem: "dog.1")))
        try Data(photo.prefix(photo.count / 2)).write(to: folder.appendingPathComponent("half.jpg"))
        var paths = try TestData.devPhotos(every: 13)
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
}
