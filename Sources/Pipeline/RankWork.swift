import Foundation
import Image
import MPI

/// One rank's work: its batches from a source, through the network, to rank 0 in rounds.
/// The result is the rank's timing record (TimingReport.record) and, with a network, the rounds.
struct RankWork {
    var record: [Double]
    var rounds: ResultRounds?
    /// A stop signal had come before this rank took its first batch (during the start-up).
    var signalledBeforeWork = false

    /// Decodes and classifies this rank's share; rank 0 writes every round's results.
    static func classify(_ share: RankShare, _ setup: RunSetup, _ options: RunOptions, comm: Communicator) throws -> RankWork {
        let decoder = BatchDecoder(preprocessor: ImagePreprocessor(geometry: setup.geometry, maxPixels: options.maxPixels,
                                                                   fastDecode: options.fastDecode),
                                   cacheMegabytes: options.cacheMegabytes)
        var source: any BatchSource = options.prefetch ? PrefetchingBatchSource(share: share, decoder: decoder)
                                                   : PlainBatchSource(share: share, decoder: decoder)
        let worker = InferenceWorker(network: setup.network)
        let progress = Progress(total: share.list.count, alreadyDone: setup.done.total, quiet: options.quiet || !comm.isRoot)
        let rounds = try ResultRounds(comm: comm.duplicate(), outputCount: setup.network.outputCount, interval: options.roundSeconds) { outcomes in
            try setup.writer?.append(outcomes)
            progress.update(outcomes)
        }
        let busyStart = Clock.now
        let signalledBeforeWork = StopSignal.received != nil
        // After a stop signal (agreed in a round, or this rank's own) the current batch is the last.
        while !rounds.stopRequested, let batch = try source.next(between: rounds.poll) {
            rounds.add(try worker.infer(batch, between: rounds.poll))
            try rounds.poll()
        }
        let busy = Clock.now - busyStart
        try rounds.finish()
        progress.finish()
        return RankWork(record: TimingReport.record(images: worker.images, decode: worker.decodeSeconds, infer: worker.inferSeconds,
                                                    rounds: rounds.seconds, busy: busy, peakMemory: peakMemoryBytes()),
                        rounds: rounds, signalledBeforeWork: signalledBeforeWork)
    }

    /// --dry-run: walks this rank's share of the list, decoding nothing.
    static func walk(_ share: RankShare) throws -> RankWork {
        var source = DryRunBatchSource(share: share)
        var images = 0
        let busyStart = Clock.now
        while let batch = try source.next(between: {}) { images += batch.items.count }
        let busy = Clock.now - busyStart
        return RankWork(record: TimingReport.record(images: images, decode: 0, infer: 0, rounds: 0, busy: busy, peakMemory: peakMemoryBytes()),
                        rounds: nil)
    }

    /// This process's peak resident memory (VmHWM), in bytes.
    static func peakMemoryBytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }
}
