import Foundation
import TestSupport
import XCTest

/// kill -9 of a whole dogcat-mpi job mid-run, and the check that nothing of it survives.
enum JobKiller {
    /// Starts the job and, once results.csv's bytes satisfy `ready`, SIGKILLs mpirun and every
    /// process below it at once. (Open MPI puts each rank in a process group of its own, so
    /// killing mpirun's group would miss them: the ranks are found as mpirun's descendants.)
    /// Returns the rows written when it struck and how many ranks it killed.
    static func runAndKill(ranks: Int, _ arguments: [String], output: URL, ready: ([UInt8]) -> Bool) throws -> (rows: Int, ranks: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["mpirun", "-np", "\(ranks)", TestData.binary.path, "--model", TestData.catsordogsModel.path] + arguments
        process.environment = MPIRun.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let csv = output.appendingPathComponent("results.csv").path
        let start = Date()
        var rows = 0
        while process.isRunning && Date().timeIntervalSince(start) < 300 {
            if let data = FileManager.default.contents(atPath: csv) {
                let bytes = [UInt8](data)
                rows = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1
                if ready(bytes) { break }
            }
            usleep(5_000)
        }
        guard process.isRunning else {
            XCTFail("the job ended (status \(process.terminationStatus), \(rows) rows) before it could be killed")
            return (rows, 0)
        }
        let victims = ProcessTree.descendants(of: process.processIdentifier)
        // The ranks: mpirun may start them by the resolved path (.build/<triple>/release/...).
        let ranks = victims.filter { ProcessTree.commandLine($0).contains("dogcat-mpi --model") }.count
        for pid in victims.reversed() + [process.processIdentifier] { kill(pid, SIGKILL) }
        process.waitUntilExit()
        return (rows, ranks)
    }

    /// Processes whose command line mentions `output`, after waiting up to 10 s for them to go.
    static func survivors(of output: URL) throws -> [String] {
        XCTAssertTrue(ProcessTree.commandLine(getpid()).contains("xctest"), "cannot read /proc/PID/cmdline: this check would see nothing")
        var found: [String] = []
        for _ in 0..<100 {
            found = ProcessTree.processIDs().filter { $0 != getpid() }.map(ProcessTree.commandLine).filter { $0.contains(output.path) }
            if found.isEmpty { break }
            usleep(100_000)
        }
        // pgrep agrees (status 1: no process matched).
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        pgrep.arguments = ["pgrep", "-f", output.path]
        pgrep.standardOutput = FileHandle.nullDevice
        try pgrep.run()
        pgrep.waitUntilExit()
        if pgrep.terminationStatus == 0 { found.append("pgrep -f \(output.path) matched") }
        return found
    }
}
