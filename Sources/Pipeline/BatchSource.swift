/// Where the rank's decoded batches come from: decoded here (`PlainBatchSource`), on a
/// second thread a batch ahead (`PrefetchingBatchSource`), or not at all (`DryRunBatchSource`).
protocol BatchSource {
    /// The next batch, or nil when this rank's share is done. `between` runs while the
    /// source works or waits, so rank 0's rounds go on.
    mutating func next(between: () throws -> Void) throws -> DecodedBatch?
}
