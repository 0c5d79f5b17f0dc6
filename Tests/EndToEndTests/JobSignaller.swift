import Foundation
import TestSupport
import XCTest

/// Sends a stop signal to a running dogcat-mpi job (mpirun, or one rank) once results.csv's
/// bytes satisfy `ready`, and lets the job end by itself.
enum JobSignaller {
    /// mpirun (which passes SIGUSR1 on to every rank, and answers SIGTERM and SIGINT by sending
    /// the ranks SIGTERM after odls_base_sigkill_timeout, 1 s, then SIGKILL 1 s later), one rank,
    /// or every rank (as Slurm signals the tasks of an srun step).
    enum Target { case mpirun, rank(Int), everyRank }

    struct Outcome {
        var status: Int32
        /// The job ended of a signal (status is then the signal's number).
        var killedBySignal: Bool
        var stdout: String
        var stderr: String
        var timedOut: Bool
        /// The data rows in results.csv when the signal was sent.
        var rowsAtSignal: Int
    }

    /// Sends `signals` one after the other, at once, to `target`.
    static func run(ranks: Int, _ arguments: [String], output: URL, signals: [Int32], to target: Target,
                    timeout: Double = 120, ready: ([UInt8]) -> Bool) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["mpirun", "-np", "\(ranks)", TestData.binary.path, "--model", TestData.catsordogsModel.path] + arguments
        process.environment = MPIRun.environment
        let scratch = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let csv = output.appendingPathComponent("results.csv").path
        let start = Date()
        var rows = 0
        while process.isRunning && Date().timeIntervalSince(start) < timeout {
            if let data = FileManager.default.contents(atPath: csv) {
                let bytes = [UInt8](data)
                rows = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1
                if ready(bytes) { break }
            }
            usleep(5_000)
        }
        if process.isRunning {
            switch target {
            case .mpirun: for signal in signals { kill(process.processIdentifier, signal) }
            case .rank(let rank):
                let pid = try XCTUnwrap(rankProcess(rank, of: process.processIdentifier), "rank \(rank) not found among mpirun's children")
                for signal in signals { kill(pid, signal) }
            case .everyRank:
                let ranks = ProcessTree.descendants(of: process.processIdentifier).filter { ProcessTree.commandLine($0).contains("dogcat-mpi --model") }
                XCTAssertFalse(ranks.isEmpty, "no rank found among mpirun's children")
                for pid in ranks { for signal in signals { kill(pid, signal) } }
            }
        } else {
            XCTFail("the job ended (status \(process.terminationStatus), \(rows) rows) before the signal")
        }
        let timedOut = process.waitUntilExit(timeout: timeout, grace: 1)
        return Outcome(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                       stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "", timedOut: timedOut, rowsAtSignal: rows)
    }

    /// The process of MPI rank `rank` below mpirun: Open MPI puts OMPI_COMM_WORLD_RANK in each rank's environment.
    static func rankProcess(_ rank: Int, of mpirun: pid_t) -> pid_t? {
        ProcessTree.descendants(of: mpirun).first { pid in
            ProcessTree.commandLine(pid).contains("dogcat-mpi --model")
                && ProcessTree.environment(pid)["OMPI_COMM_WORLD_RANK"] == "\(rank)"
        }
    }
}
