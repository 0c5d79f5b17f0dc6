import MPI
#if canImport(Glibc)
import Glibc
#endif

/// Brings finished results to rank 0 in rounds, so rank 0 can write them as the job goes
/// and its memory does not grow with the input.
///
/// Rank 0 starts a round (every `interval` seconds, and once every rank is finished) with
/// a non-blocking broadcast that the other ranks test between images; then every rank
/// takes part in the same collectives: MPI_Gatherv of the input indices, the output values,
/// the failures (index and reason) and their messages, and an MPI_Allreduce that tells everyone whether all ranks are
/// finished. A rank that runs out of work sends rank 0 a one-integer note, so the last
/// round starts as soon as the last rank is done, not at the next tick.
final class ResultRounds {
    let comm: Communicator
    let outputCount: Int
    let interval: Double
    /// Rank 0: receives every round's outcomes, from all ranks.
    let deliver: ([Outcome]) throws -> Void

    private var pending: [Outcome] = []
    private var signal: PendingSignal?
    private var lastRound = Clock.now
    private var notesReceived = 0
    private var noteSent = false
    /// Seconds this rank spent in rounds, waiting for the others included.
    private(set) var seconds = 0.0

    private static let finishedTag: Int32 = 17

    init(comm: Communicator, outputCount: Int, interval: Double, deliver: @escaping ([Outcome]) throws -> Void) throws {
        self.comm = comm
        self.outputCount = outputCount
        self.interval = interval
        self.deliver = deliver
        if !comm.isRoot { signal = try comm.startBroadcast(0) }
    }

    func add(_ outcomes: [Outcome]) { pending += outcomes }

    /// Between images: joins a round that rank 0 started, or (rank 0) starts one when due.
    /// Rank 0 also looks for finished notes, which drives MPI's progress engine for the
    /// other ranks' one-sided requests (--schedule dynamic) over transports that need it.
    func poll() throws {
        if comm.isRoot {
            if try comm.receive(tag: ResultRounds.finishedTag) != nil { notesReceived += 1 }
            if Clock.now - lastRound >= interval { _ = try startRound(finished: false) }
        } else if let signal, try comm.test(signal) {
            _ = try round(finished: false)
        }
    }

    /// This rank has no more work: take part in rounds until every rank is finished.
    func finish() throws {
        if comm.isRoot {
            while true {
                // Wait for the others' notes (or the next tick) without spinning a core.
                while notesReceived < comm.size - 1 && Clock.now - lastRound < interval {
                    if try comm.receive(tag: ResultRounds.finishedTag) != nil { notesReceived += 1 } else { usleep(500) }
                }
                if try startRound(finished: true) { return }
            }
        } else {
            if !noteSent {
                try comm.send(1, to: 0, tag: ResultRounds.finishedTag)
                noteSent = true
            }
            while let signal {
                let start = Clock.now
                try comm.wait(signal)
                seconds += Clock.now - start
                if try round(finished: true) { return }
            }
        }
    }

    private func startRound(finished: Bool) throws -> Bool {
        let start = Clock.now
        try comm.wait(try comm.startBroadcast(1))
        seconds += Clock.now - start
        return try round(finished: finished)
    }

    /// One round: every rank sends what it finished since the last one. Returns true when
    /// every rank was finished, which makes this the last round.
    private func round(finished: Bool) throws -> Bool {
        let start = Clock.now
        defer { seconds += Clock.now - start; lastRound = Clock.now }
        let records = OutcomeRecords(pending, outputCount: outputCount)
        pending.removeAll(keepingCapacity: true)
        let indices = try comm.gatherv(records.indices)
        let values = try comm.gatherv(records.values)
        let failures = try comm.gatherv(records.failures)
        let messages = try comm.gatherv(records.messages)
        let allFinished = try comm.allReduce(Int64(finished ? 1 : 0), .min) == 1
        if let indices, let values, let failures, let messages {
            var outcomes: [Outcome] = []
            for r in 0..<comm.size {
                outcomes += try OutcomeRecords(indices: indices[r], values: values[r], failures: failures[r], messages: messages[r])
                    .outcomes(outputCount: outputCount, rank: r)
            }
            try deliver(outcomes)
        }
        signal = allFinished || comm.isRoot ? nil : try comm.startBroadcast(0)
        return allFinished
    }
}
