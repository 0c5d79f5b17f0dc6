import Engine

/// --dry-run: the share's batches, looked up in the list but not decoded.
struct DryRunBatchSource: BatchSource {
    private var share: RankShare
    private let noInputs = FloatBuffer(count: 1)

    init(share: RankShare) { self.share = share }

    mutating func next(between: () throws -> Void) throws -> DecodedBatch? {
        try share.next().map { DecodedBatch(items: $0, inputs: noInputs) }
    }
}
