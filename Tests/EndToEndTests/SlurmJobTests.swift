import Foundation
import TestSupport
import XCTest

/// scripts/slurm/dogcat.sbatch under a real Slurm of the test's own (LocalSlurm): the job
/// gives plain mpirun's results, on one node and on three (network namespaces), a warning
/// signal mid-run keeps the finished rows and a resubmission completes them byte for byte.
/// Skipped where Slurm cannot run (not root).
final class SlurmJobTests: XCTestCase, EndToEndCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    static let jobScript = TestData.repository.appendingPathComponent("scripts/slurm/dogcat.sbatch")
    /// "Stopped early, run again with --resume" (EX_TEMPFAIL), the job's exit code too.
    static let stoppedStatus = "75:0"

    func sbatch(_ slurm: LocalSlurm, _ options: [String], _ arguments: [String]) throws -> CommandRun {
        try slurm.run(["sbatch"] + options + ["--output", directory.appendingPathComponent("job-%j.out").path,
                                               Self.jobScript.path, "--model", TestData.catsordogsModel.path] + arguments,
                      in: directory, timeout: 600)
    }

    func jobOutput(_ job: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("job-\(job).out"), encoding: .utf8)) ?? "(no job output)"
    }

    func testJobMatchesMpirunAndStopsAndResumesOnWarningSignal() throws {
        let slurm = try LocalSlurm.start(in: directory.appendingPathComponent("slurm"), for: self)
        let photos = try TestData.devPhotos()
        let list = try writeLines(photos, to: "list.txt")
        let common = ["--input", list.path, "--quiet", "--batch-size", "8", "--round-seconds", "0.2"]

        let reference = directory.appendingPathComponent("reference")
        let plain = try dogcat(2, common + ["--output", reference.path], timeout: 600)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let referenceBytes = try Data(contentsOf: reference.appendingPathComponent("results.csv"))
        let referencePlaced = try placedPhotos(reference)

        // 1. Two tasks, waited for: the same results.csv and photos as plain mpirun.
        let whole = directory.appendingPathComponent("whole")
        let job = try sbatch(slurm, ["--wait", "--ntasks=2"], common + ["--output", whole.path])
        XCTAssertEqual(job.status, 0, "sbatch --wait: \(job.output)")
        XCTAssertEqual(try Data(contentsOf: whole.appendingPathComponent("results.csv")), referenceBytes, "the job's results.csv differs from mpirun's")
        XCTAssertEqual(try placedPhotos(whole), referencePlaced, "the job placed other photos")

        // 2. scancel --batch --signal=USR1 once rows are written (what --signal=B:USR1@120 sends before the time limit).
        let stopped = directory.appendingPathComponent("stopped")
        let submit = try sbatch(slurm, ["--parsable", "--ntasks=2"], common + ["--output", stopped.path])
        XCTAssertEqual(submit.status, 0, submit.output)
        let jobID = String(submit.output.split(separator: "\n").last ?? "").split(separator: ";").first.map(String.init) ?? ""
        let csv = stopped.appendingPathComponent("results.csv")
        let start = Date()
        for poll in 0... {
            if (StrictCSV.records([UInt8](FileManager.default.contents(atPath: csv.path) ?? Data()))?.count ?? 0) > 17 { break }
            // A job that failed early would never write rows: look at its state now and then.
            if Date().timeIntervalSince(start) > 300 { break }
            if poll % 100 == 99, ["FAILED", "COMPLETED"].contains(try slurm.jobState(jobID).state) { break }
            usleep(10_000)
        }
        let cancel = try slurm.run(["scancel", "--batch", "--signal=USR1", jobID], timeout: 30)
        XCTAssertEqual(cancel.status, 0, cancel.output)
        let end = try slurm.waitForEnd(jobID)
        XCTAssertEqual(end.exitCode, Self.stoppedStatus, "job \(jobID) ended \(end.state): \(jobOutput(jobID))")
        XCTAssertTrue(jobOutput(jobID).contains("stopped by SIGUSR1 during the work: "), jobOutput(jobID))
        let rows = try results(stopped)
        XCTAssertGreaterThanOrEqual(rows.count, 16)
        XCTAssertLessThan(rows.count, photos.count, "the job was stopped too late to test anything")

        // 3. The same submission again: --resume (the script's) does the rest, byte-identically.
        let again = try sbatch(slurm, ["--wait", "--ntasks=2"], common + ["--output", stopped.path])
        XCTAssertEqual(again.status, 0, "resubmitted: \(again.output)")
        XCTAssertEqual(try Data(contentsOf: csv), referenceBytes, "the resubmitted job's results.csv differs")
        XCTAssertEqual(try placedPhotos(stopped), referencePlaced, "the resubmitted job placed other photos")
    }

    /// --time=1 (one minute) with the script's --signal=B:USR1@120: the warning comes at Slurm's
    /// first time-limit check (slurmctld looks every 30 s), on a list slowed to outlast it (the
    /// dev photos forty times, no input cache: minutes on 2 cores, so the warning always comes first);
    /// the job ends with the documented status and whole rows.
    func testTimeLimitWarningStopsTheJob() throws {
        let slurm = try LocalSlurm.start(in: directory.appendingPathComponent("slurm"), for: self)
        let photos = try TestData.devPhotos()
        let list = try writeLines(Array(repeating: photos, count: 40).flatMap { $0 }, to: "slow.txt")
        let output = directory.appendingPathComponent("limited")
        let job = try sbatch(slurm, ["--wait", "--ntasks=2", "--time=1"],
                             ["--input", list.path, "--output", output.path, "--cache-mb", "0", "--place", "none", "--quiet"])
        let jobID = job.output.split(separator: "\n").first { $0.hasPrefix("Submitted batch job ") }.map { String($0.dropFirst(20)) } ?? ""
        XCTAssertEqual(job.status, 75, "sbatch --wait --time=1: \(job.output) \(jobOutput(jobID))")
        XCTAssertTrue(jobOutput(jobID).contains("stopped by SIGUSR1 during the work: "), jobOutput(jobID))
        let rows = try results(output)
        XCTAssertGreaterThan(rows.count, 0)
        XCTAssertLessThan(rows.count, photos.count * 40, "the list was not slow enough to be stopped")
    }

    /// Three nodes, each a network namespace with its own hostname and address and its own
    /// slurmd (local-slurm.sh --hosts 3): the job script's srun --mpi=pmix job of 3 tasks, one a
    /// node, talks TCP over the bridge and gives one node's results.csv byte for byte.
    func testThreeNodeJobOverTCPMatchesOneNode() throws {
        let slurm = try LocalSlurm.start(in: directory.appendingPathComponent("slurm"), for: self, hosts: 3)
        let list = try writeLines(try TestData.devPhotos(every: 4), to: "list.txt")
        let common = ["--input", list.path, "--batch-size", "8", "--place", "none"]
        let reference = directory.appendingPathComponent("reference")
        let one = try dogcat(1, common + ["--output", reference.path, "--quiet"], timeout: 600)
        XCTAssertEqual(one.status, 0, one.stderr)

        func bytesThroughNode2() -> Int {
            ["rx_bytes", "tx_bytes"].compactMap {
                (try? String(contentsOfFile: "/sys/class/net/dogcat-sv2/statistics/\($0)", encoding: .utf8))
                    .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }.reduce(0, +)
        }
        let before = bytesThroughNode2()
        let cluster = directory.appendingPathComponent("cluster")
        let job = try sbatch(slurm, ["--wait", "--nodes=3", "--ntasks=3", "--ntasks-per-node=1"], common + ["--output", cluster.path])
        let jobID = job.output.split(separator: "\n").first { $0.hasPrefix("Submitted batch job ") }.map { String($0.dropFirst(20)) } ?? ""
        XCTAssertEqual(job.status, 0, "sbatch --wait: \(job.output) \(jobOutput(jobID))")
        XCTAssertTrue(jobOutput(jobID).contains("srun --mpi=pmix"), jobOutput(jobID))
        for host in ["s1", "s2", "s3"] {
            XCTAssertNotNil(jobOutput(jobID).range(of: "\n +[0-9]+ +\(host) ", options: .regularExpression), "no rank on \(host): \(jobOutput(jobID))")
        }
        // The model broadcast alone is megabytes: it went over node 2's link.
        XCTAssertGreaterThan(bytesThroughNode2() - before, 1_000_000)
        let referenceBytes = try Data(contentsOf: reference.appendingPathComponent("results.csv"))
        XCTAssertEqual(try Data(contentsOf: cluster.appendingPathComponent("results.csv")), referenceBytes,
                       "3 nodes gave another results.csv than 1")
        // The dynamic schedule's shared counter (one-sided MPI) across the nodes, too.
        let dynamic = directory.appendingPathComponent("dynamic")
        let dynamicJob = try sbatch(slurm, ["--wait", "--nodes=3", "--ntasks=3", "--ntasks-per-node=1"],
                                    common + ["--output", dynamic.path, "--schedule", "dynamic", "--quiet"])
        XCTAssertEqual(dynamicJob.status, 0, "sbatch --wait (dynamic): \(dynamicJob.output)")
        XCTAssertEqual(try Data(contentsOf: dynamic.appendingPathComponent("results.csv")), referenceBytes,
                       "3 nodes with the dynamic schedule gave another results.csv than 1")
    }

    /// Run with bash instead of sbatch: one clear line and status 2, never a hang.
    func testJobScriptOutsideSlurmSaysSo() throws {
        var environment = MPIRun.environment.filter { !$0.key.hasPrefix("SLURM_") }
        environment["DOGCAT_BIN"] = TestData.binary.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.jobScript.path, "--input", "photos/"]
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertFalse(process.waitUntilExit(timeout: 30, grace: 1), "the job script hung outside Slurm")
        XCTAssertEqual(process.terminationStatus, 2, text)
        XCTAssertEqual(text, "dogcat.sbatch: not inside a Slurm job; submit it: sbatch [--ntasks=N] \(Self.jobScript.path) [dogcat-mpi options]\n")
    }
}
