/// Batch k+1 is decoded on a second thread while batch k runs through the network.
final class PrefetchingBatchSource: BatchSource {
    private var share: RankShare
    private let prefetcher: Prefetcher
    private var started = false

    init(share: RankShare, decoder: BatchDecoder) {
        self.share = share
        prefetcher = Prefetcher(decoder: decoder, batchSize: share.batchSize)
    }

    deinit { prefetcher.stop() }

    func next(between: () throws -> Void) throws -> DecodedBatch? {
        if !started, let first = try share.next() { prefetcher.submit(first) }
        started = true
        guard let decoded = try prefetcher.take(whileWaiting: between) else { return nil }
        if let following = try share.next() { prefetcher.submit(following) }
        return decoded
    }
}
