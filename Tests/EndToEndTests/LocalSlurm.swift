import Foundation
import TestSupport
import XCTest

/// A real Slurm of a test's own: scripts/slurm/local-slurm.sh starts munged, slurmctld and
/// slurmd under `folder` on private ports (as root) and stops them by their PIDs. One node (this
/// machine), or `hosts` nodes s1.. that are network namespaces (one slurmd each, TCP between them).
struct LocalSlurm {
    static let script = TestData.repository.appendingPathComponent("scripts/slurm/local-slurm.sh")
    /// slurmctld's port (slurmd's is the next): apart from the default of a hand-started one.
    static let port = 16827

    let folder: URL
    var hosts = 0
    /// The --hosts nodes' network: MPI between them goes over TCP on it.
    static let hostsNetwork = "10.213.48.0/24"

    /// Starts the daemons; skips the test where that is impossible (not root, no slurm-wlm or munge).
    /// `test` stops them again in its teardown, also when it fails.
    static func start(in folder: URL, for test: XCTestCase, hosts: Int = 0) throws -> LocalSlurm {
        let slurm = LocalSlurm(folder: folder, hosts: hosts)
        test.addTeardownBlock { slurm.stop() }
        let up = try slurm.run(["bash", script.path, "up", folder.path] + (hosts > 0 ? ["--hosts", "\(hosts)"] : []), timeout: 60)
        if up.status == 77 { throw XCTSkip("local-slurm.sh: \(up.output)") }
        guard up.status == 0, !up.timedOut else { throw XCTSkip("could not start a local Slurm here: \(up.output)") }
        return slurm
    }

    /// The daemons' PIDs, from their pid files.
    var daemonPIDs: [pid_t] {
        let slurmds = (1...max(hosts, 1)).map { hosts > 0 ? "slurmd-s\($0).pid" : "slurmd.pid" }
        return (["slurmctld.pid", "munge/munged.pid"] + slurmds).compactMap { name in
            (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// Cancels its jobs and stops the daemons; then checks that none of them runs and nothing
    /// listens on its ports.
    func stop() {
        let pids = daemonPIDs
        let down = try? run(["bash", LocalSlurm.script.path, "down", folder.path], timeout: 90)
        XCTAssertEqual(down?.status, 0, "local-slurm.sh down: \(down?.output ?? "did not run")")
        for pid in pids { XCTAssertFalse(kill(pid, 0) == 0 && ProcessTree.parent(of: pid) != nil, "daemon \(pid) still runs") }
        let listening = (try? run(["ss", "-Hltn"], timeout: 30).output) ?? ""
        for port in [LocalSlurm.port, LocalSlurm.port + 1] {
            XCTAssertFalse(listening.contains(":\(port) "), "something still listens on port \(port): \(listening)")
        }
        if hosts > 0 {
            let namespaces = (try? run(["ip", "netns", "list"], timeout: 30).output) ?? ""
            XCTAssertFalse(namespaces.contains("dogcat-s"), "namespaces left: \(namespaces)")
        }
    }

    /// The environment for Slurm's commands and the jobs they submit (sbatch exports it):
    /// this cluster's configuration, mpirun allowed as root, the binary under test.
    var environment: [String: String] {
        var environment = MPIRun.environment.filter { !$0.key.hasPrefix("SLURM_") }
        environment["SLURM_CONF"] = folder.appendingPathComponent("slurm.conf").path
        environment["DOGCAT_SLURM_PORT"] = "\(LocalSlurm.port)"
        environment["DOGCAT_BIN"] = TestData.binary.path
        if hosts > 0 {
            // Shared memory cannot reach across hosts: TCP, on the nodes' network only.
            environment["OMPI_MCA_btl"] = "self,tcp"
            environment["OMPI_MCA_btl_tcp_if_include"] = LocalSlurm.hostsNetwork
            environment["OMPI_MCA_oob_tcp_if_include"] = LocalSlurm.hostsNetwork
            // Open MPI 4.1's default one-sided component (rdma) cannot make a window over TCP:
            // the dynamic schedule's counter needs pt2pt there (README, Running on a cluster).
            environment["OMPI_MCA_osc"] = "pt2pt"
        }
        return environment
    }

    /// Runs a command (found on PATH) with this cluster's environment (CommandRun).
    func run(_ arguments: [String], in directory: URL? = nil, timeout: Double) throws -> CommandRun {
        try CommandRun.run(arguments, environment: environment, in: directory, timeout: timeout)
    }

    /// A finished (or running) job's state and exit code, from `scontrol show job`: ("COMPLETED", "0:0").
    func jobState(_ job: String) throws -> (state: String, exitCode: String) {
        let show = try run(["scontrol", "show", "job", job], timeout: 30).output
        func field(_ name: String) -> String {
            show.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix(name + "=") }
                .map { String($0.dropFirst(name.count + 1)) } ?? ""
        }
        return (field("JobState"), field("ExitCode"))
    }

    /// Waits (up to `timeout` seconds) until the job has left the queue's running states.
    func waitForEnd(_ job: String, timeout: Double = 300) throws -> (state: String, exitCode: String) {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            let state = try jobState(job)
            if !["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", ""].contains(state.state) { return state }
            usleep(200_000)
        }
        return try jobState(job)
    }
}
