import Foundation

/// Runs the release binary under mpirun with a timeout, the way a user would, and captures
/// its output. A hung job is killed and reported as such rather than hanging the tests.
public struct MPIRun {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
    public var seconds: Double

    public static func run(ranks: Int, _ arguments: [String], in directory: URL? = nil,
                           timeout: Double = 300, extraMPIArguments: [String] = []) throws -> MPIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var mpiArguments = ["mpirun", "-np", "\(ranks)"]
        if ranks > ProcessInfo.processInfo.activeProcessorCount { mpiArguments.append("--oversubscribe") }
        process.arguments = mpiArguments + extraMPIArguments + [TestData.binary.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_pml"] = environment["OMPI_MCA_pml"] ?? "ob1"
        environment["OMPI_MCA_btl"] = environment["OMPI_MCA_btl"] ?? "self,vader"
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        // Output goes to files, so a chatty job can never block on a full pipe.
        let scratch = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let start = Date()
        try process.run()
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                process.terminate()
                Thread.sleep(forTimeInterval: 1)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        return MPIRun(status: process.terminationStatus, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "", timedOut: timedOut,
                      seconds: Date().timeIntervalSince(start))
    }
}
