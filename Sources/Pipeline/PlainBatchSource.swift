import Engine

/// Decodes each batch on this thread, into one reused input buffer.
struct PlainBatchSource: BatchSource {
    private var share: RankShare
    private let decoder: BatchDecoder
    private let inputs: FloatBuffer

    init(share: RankShare, decoder: BatchDecoder) {
        self.share = share
        self.decoder = decoder
        inputs = FloatBuffer(count: share.batchSize * decoder.inputCount)
    }

    mutating func next(between: () throws -> Void) throws -> DecodedBatch? {
        guard let batch = try share.next() else { return nil }
        return try decoder.decode(batch, into: inputs, between: between)
    }
}
