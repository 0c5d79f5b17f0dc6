import Foundation
import TestSupport
import XCTest

/// The MPI wrappers (Communicator.broadcast, gatherv, allReduce; SharedCounter) under
/// mpirun at -np 1, 2 and 3 (3 oversubscribed on 2 cores). Tests/MPISelfTest runs every
/// check on every rank and exits non-zero on any mismatch; here its report is held to the
/// full list of checks, so a check that stops running fails too.
final class MPIWrapperTests: XCTestCase {
    /// The self-test's checks, in the order it runs them.
    static let checks = [
        "broadcast: empty array",
        "broadcast: 1001 floats",
        "broadcast: 37 padded records from the last rank",
        "broadcast: 1 GiB + 40 bytes, over one piece",
        "broadcast: one Int64",
        "gatherv: uneven contributions",
        "gatherv: all empty",
        "gatherv: some empty, to the last rank",
        "gatherv: padded records",
        "allReduce: Int64 sum, max, min",
        "allReduce: Double sum, max, min",
        "SharedCounter: every index handed out exactly once",
        "SharedCounter: final value is the sum of the adds",
    ]
    /// A hung collective is killed after this long and reported.
    static let timeout: Double = 180

    func testWrappersAtOneRank() throws { try checkSelfTest(ranks: 1) }

    func testWrappersAtTwoRanks() throws { try checkSelfTest(ranks: 2) }

    func testWrappersAtThreeRanks() throws { try checkSelfTest(ranks: 3) }

    /// With one received value spoiled per check (on rank 1 or on the root), every check
    /// reports a mismatch, the job ends by itself, and its status is non-zero.
    func testEveryCheckFailsOnASpoiledResult() throws {
        let run = try selfTest(ranks: 2, ["--corrupt"])
        let report = Self.report(run, ranks: 2)
        XCTAssertFalse(run.timedOut, "hung; \(report)")
        XCTAssertNotEqual(run.status, 0, report)
        for check in Self.checks {
            XCTAssertTrue(run.stderr.contains("] FAIL \(check): "), "\(check) did not fail; \(report)")
        }
        XCTAssertTrue(run.stdout.contains("checks failed"), report)
    }

    private func checkSelfTest(ranks: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try selfTest(ranks: ranks, [])
        let report = Self.report(run, ranks: ranks)
        XCTAssertFalse(run.timedOut, "hung; \(report)", file: file, line: line)
        XCTAssertEqual(run.status, 0, report, file: file, line: line)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("mpi-selftest: \(ranks) ranks"), report, file: file, line: line)
        XCTAssertEqual(lines.filter { $0.hasPrefix("ok ") }, Self.checks.map { "ok \($0)" }, report, file: file, line: line)
        XCTAssertEqual(Set(lines.filter { $0.hasPrefix("rank ") }),
                       Set((0..<ranks).map { "rank \($0): all \(Self.checks.count) checks passed" }), report, file: file, line: line)
        XCTAssertFalse(run.stderr.contains("FAIL"), report, file: file, line: line)
    }

    private func selfTest(ranks: Int, _ arguments: [String]) throws -> MPIRun {
        let executable = TestData.mpiSelfTest
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            XCTFail("no \(executable.path): build it first (scripts/test.sh does)")
            throw CocoaError(.fileNoSuchFile)
        }
        return try MPIRun.run(ranks: ranks, arguments, timeout: Self.timeout, executable: executable)
    }

    private static func report(_ run: MPIRun, ranks: Int) -> String {
        "-np \(ranks): status \(run.status) after \(String(format: "%.1f", run.seconds)) s\nstdout:\n\(run.stdout)\nstderr:\n\(run.stderr.suffix(4000))"
    }
}
