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
///
/// A stop signal (StopSignal) is decided here, together: each round also takes the largest
/// signal number any rank received (MPI_Allreduce MAX), so a signal seen by one rank stops
/// them all. A rank that has one stops taking work after its current batch; rank 0 starts a
/// round at once when it has one or a rank's finished note says it stopped for one, so the
/// others learn it within an image; then the last round gathers what everyone finished.
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
    /// Rank 0: a rank's finished note said it stopped for a signal.
    private var stopNoted = false
    /// The stop signal the ranks agreed on in a round (the largest number any rank received).
    private(set) var stopSignal: Int32?
    /// Seconds this rank spent in rounds, waiting for the others included.
    private(set) var seconds = 0.0

    private static let finishedTag: Int32 = 17
    /// The finished note's values: out of work, or stopped for a signal.
    private static let outOfWork: Int32 = 1, stoppedForSignal: Int32 = 2

    /// Whether this rank should take no more work: the ranks agreed to stop, or it has a
    /// signal of its own (the others learn it in the next round).
    var stopRequested: Bool { stopSignal != nil || StopSignal.received != nil }

    /// A stop that is known here but not yet agreed in a round: rank 0 then starts one at once.
    private var stopPending: Bool { stopSignal == nil && (StopSignal.received != nil || stopNoted) }

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
            try receiveNote()
            if stopPending || Clock.now - lastRound >= interval { _ = try startRound(finished: false) }
        } else if let signal, try comm.test(signal) {
            _ = try round(finished: false)
        }
    }

    /// This rank has no more work: take part in rounds until every rank is finished.
    func finish() throws {
        if comm.isRoot {
            while true {
                // Wait for the others' notes (or the next tick) without spinning a core.
                while notesReceived < comm.size - 1 && Clock.now - lastRound < interval && !stopPending {
                    if try !receiveNote() { usleep(500) }
                }
                if try startRound(finished: true) { return }
            }
        } else {
            if !noteSent {
                let note = stopSignal == nil && StopSignal.received != nil ? ResultRounds.stoppedForSignal : ResultRounds.outOfWork
                try comm.send(note, to: 0, tag: ResultRounds.finishedTag)
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

    /// Rank 0: takes one finished note if one has come; returns whether one had.
    @discardableResult
    private func receiveNote() throws -> Bool {
        guard let note = try comm.receive(tag: ResultRounds.finishedTag) else { return false }
        notesReceived += 1
        if note.value == ResultRounds.stoppedForSignal { stopNoted = true }
        return true
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
        let largestSignal = try comm.allReduce(Int64(StopSignal.received ?? 0), .max)
        if largestSignal != 0 && stopSignal == nil { stopSignal = Int32(largestSignal) }
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
