import Foundation
import TestSupport

/// A command (found on PATH) run to its end: stdout and stderr together in a file (so a chatty
/// command never blocks on a full pipe), stdin empty; past `timeout`, SIGTERM and, 15 s later,
/// SIGKILL. For the scripts the cluster and Slurm tests drive.
struct CommandRun {
    var status: Int32
    var output: String
    var timedOut: Bool

    static func run(_ arguments: [String], environment: [String: String]? = nil, in directory: URL? = nil,
                    timeout: Double) throws -> CommandRun {
        let scratch = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("output")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        defer { try? out.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let timedOut = process.waitUntilExit(timeout: timeout, grace: 15)
        return CommandRun(status: process.terminationStatus, output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                          timedOut: timedOut)
    }
}
