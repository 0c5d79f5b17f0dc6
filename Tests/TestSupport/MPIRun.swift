import Foundation

/// Runs the release binary (or another program: the MPI self-test) under mpirun with a
/// timeout, the way a user would, and captures its output. A hung job is killed and
/// reported as such rather than hanging the tests.
public struct MPIRun {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
    public var seconds: Double

    public static func run(ranks: Int, _ arguments: [String], in directory: URL? = nil,
                           timeout: Double = 300, extraMPIArguments: [String] = [],
                           executable: URL = TestData.binary) throws -> MPIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var mpiArguments = ["mpirun", "-np", "\(ranks)"]
        if ranks > ProcessInfo.processInfo.activeProcessorCount { mpiArguments.append("--oversubscribe") }
        process.arguments = mpiArguments + extraMPIArguments + [executable.path] + arguments
        process.environment = MPIRun.environment
        if let directory { process.currentDirectoryURL = directory }
        // Output goes to files, so a chatty job can never block on a full pipe.
        let scratch = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let start = Date()
        try process.run()
        let timedOut = process.waitUntilExit(timeout: timeout, grace: 1)
        return MPIRun(status: process.terminationStatus, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "", timedOut: timedOut,
                      seconds: Date().timeIntervalSince(start))
    }
}

extension MPIRun {
    /// This process's environment with what mpirun needs here: root allowed (CI runs as
    /// root) and, unless set already, shared memory only on this one node.
    public static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_pml"] = environment["OMPI_MCA_pml"] ?? "ob1"
        environment["OMPI_MCA_btl"] = environment["OMPI_MCA_btl"] ?? "self,vader"
        return environment
    }
}

extension Process {
    /// Waits for a started process; past `timeout` seconds sends SIGTERM, and SIGKILL if it
    /// is still running `grace` seconds later. Returns whether the timeout struck.
    public func waitUntilExit(timeout: Double, grace: Double) -> Bool {
        let start = Date()
        var timedOut = false
        while isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                terminate()
                let signalled = Date()
                while isRunning && Date().timeIntervalSince(signalled) < grace { Thread.sleep(forTimeInterval: 0.05) }
                if isRunning { kill(processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        waitUntilExit()
        return timedOut
    }
}
