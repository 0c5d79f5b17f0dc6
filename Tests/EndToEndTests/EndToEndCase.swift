import Foundation
import TestSupport
import XCTest

/// What the end-to-end test classes share: a scratch folder per test (`directory`, made in
/// setUpWithError and removed in tearDownWithError), and the job runs, input lists and
/// results that live in it.
protocol EndToEndCase: XCTestCase {
    var directory: URL! { get }
}

extension EndToEndCase {
    /// mpirun -np `ranks` dogcat-mpi --model <catsordogs> ...
    func dogcat(_ ranks: Int, _ arguments: [String], timeout: Double = 180) throws -> MPIRun {
        try MPIRun.run(ranks: ranks, ["--model", TestData.catsordogsModel.path] + arguments, timeout: timeout)
    }

    /// A list file of one path a line in the scratch folder.
    func writeLines(_ lines: [String], to name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// results.csv's rows (header checked and dropped), read strictly.
    func results(_ output: URL) throws -> [[String]] {
        let bytes = [UInt8](try Data(contentsOf: output.appendingPathComponent("results.csv")))
        let records = try XCTUnwrap(StrictCSV.records(bytes), "\(output.lastPathComponent)/results.csv is not RFC 4180")
        XCTAssertEqual(records.first.map(StrictCSV.strings), ResultsHeader.fields)
        let rows = records.dropFirst().map(StrictCSV.strings)
        for row in rows where row.count != 6 { XCTFail("a row with \(row.count) fields: \(row)") }
        return rows
    }

    /// The photos placed under out/cat and out/dog: name -> content hash.
    func placedPhotos(_ output: URL) throws -> [String: String] {
        try FileTreeSnapshot.take(output).filter { $0.key.hasPrefix("cat/") || $0.key.hasPrefix("dog/") }
    }
}
