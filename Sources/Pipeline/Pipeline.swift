import FileSystem
import Foundation
import MPI

/// The SPMD story of one run, executed by every rank:
///  1. every rank reads the input list;
///  2. rank 0 loads the model and prepares the output; the model (or the reason there is
///     none) is broadcast, and every rank builds the same network;
///  3. each rank decodes, preprocesses and classifies its share batch by batch; results
///     reach rank 0 in rounds (MPI_Gatherv), and rank 0 writes them as they come;
///  4. the ranks' timings are gathered; rank 0 puts results.csv in input order, places the
///     photos and prints the report; every rank exits with rank 0's verdict.
/// A stop signal (StopSignal) is agreed on in a result round: every rank ends its current
/// batch, the last round brings what is done to rank 0, and the run exits with
/// ExitStatus.stoppedEarly; --resume does the rest.
public enum Pipeline {
    /// Runs the job on this rank and returns the process's exit status.
    public static func run(_ options: RunOptions) -> Int32 {
        let start = Clock.now
        // From the start: a signal at any point is looked at in the first result round.
        StopSignal.install()
        let comm: Communicator
        do {
            comm = try Communicator.initializeWorld()
        } catch {
            printError("error: \(error)")
            return 1
        }
        var report = TimingReport()
        report.mpiInitSeconds = Clock.now - start
        do {
            let status = try runRank(options, comm, start: start, report: &report)
            Communicator.finalize()
            return status
        } catch let failure as SharedFailure {
            // Every rank knows this failure: exit together, rank 0 explains once.
            if comm.isRoot { printError("error: \(failure.message)") }
            Communicator.finalize()
            return failure.status
        } catch {
            // Only this rank knows: stop the whole job rather than leave the others waiting in a collective.
            printError("[rank \(comm.rank)] error: \(error)")
            comm.abort(code: 1)
        }
    }

    static func runRank(_ options: RunOptions, _ comm: Communicator, start: Double, report: inout TimingReport) throws -> Int32 {
        // 1. The input list, on every rank.
        let phase = Clock.now
        var list = try agree(comm) { try InputLists.open(options.inputPath, excluding: options.outputPath) }
        if let limit = options.limit, limit < list.count { list = PrefixList(list, count: limit) }
        // Each rank lists (and scans tar shards) on its own: a node that sees other files
        // would share out another list, so the counts must agree.
        let fewest = try comm.allReduce(Int64(list.count), .min), most = try comm.allReduce(Int64(list.count), .max)
        if fewest != most {
            throw SharedFailure(message: "the ranks listed different numbers of inputs (\(fewest) to \(most)): does every node see the same --input?")
        }
        report.listSeconds = Clock.now - phase

        // 2. Rank 0 sets up; everyone gets the model (not for a dry run).
        let setup = options.dryRun ? nil : try RunSetup.prepare(options, list: list, comm: comm, report: &report)

        // 3. This rank's share, batch by batch.
        let counter = options.schedule == .dynamic ? try SharedCounter(comm) : nil
        let share = RankShare(list: list, batchSize: options.batchSize, counter: counter, comm: comm, done: setup?.done)
        let work = try setup.map { try RankWork.classify(share, $0, options, comm: comm) } ?? RankWork.walk(share)
        try counter?.free()

        // 4. Timings to rank 0; rank 0 reports; everyone exits with its verdict (--max-failures).
        let records = try comm.gatherv(work.record)
        let hosts = try comm.gatherv(Array(Communicator.processorName.utf8))
        var status: Int32 = 0
        if let records, let hosts = hosts?.map({ String(decoding: $0, as: UTF8.self) }) {
            if let writer = setup?.writer, let classifier = setup?.classifier, let rounds = work.rounds {
                status = try RootReport.finish(writer, classifier: classifier, list: list, options: options, records: records,
                                               hosts: hosts, rounds: rounds, signalledBeforeWork: work.signalledBeforeWork,
                                               start: start, report: &report)
            } else {
                RootReport.dryRun(list: list, records: records, hosts: hosts, start: start, report: &report)
            }
        }
        return Int32(try comm.broadcast(Int64(status)))
    }

    /// Runs `body` on every rank; if it fails anywhere, every rank throws the same failure
    /// (rank 0's message when rank 0 failed).
    static func agree<T>(_ comm: Communicator, _ body: () throws -> T) throws -> T {
        let result = Result { try body() }
        var rootMessage: [UInt8] = []
        if comm.isRoot, case .failure(let error) = result { rootMessage = Array("\(error)".utf8) }
        let failed: Int64
        if case .failure = result { failed = 1 } else { failed = 0 }
        if try comm.allReduce(failed, .sum) > 0 {
            try comm.broadcast(&rootMessage)
            throw SharedFailure(message: rootMessage.isEmpty ? "failed on another rank" : String(decoding: rootMessage, as: UTF8.self))
        }
        return try result.get()
    }

    /// Broadcasts rank 0's failure message (empty: none) and exit status; every rank throws
    /// it if there is one.
    static func broadcastFailure(_ message: String, status: Int32, _ comm: Communicator) throws {
        var bytes = Array(message.utf8)
        try comm.broadcast(&bytes)
        if !bytes.isEmpty {
            let status = try comm.broadcast(Int64(status))
            throw SharedFailure(message: String(decoding: bytes, as: UTF8.self), status: Int32(status))
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
