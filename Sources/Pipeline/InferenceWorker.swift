import Engine

/// Runs the network on decoded batches on this rank.
final class InferenceWorker {
    let network: Network
    private let outputs: FloatBuffer

    /// Busy seconds per stage (decode measured where it ran), and images handled.
    private(set) var decodeSeconds = 0.0
    private(set) var inferSeconds = 0.0
    private(set) var images = 0

    init(network: Network) {
        self.network = network
        outputs = FloatBuffer(count: network.batchSize * network.outputCount)
    }

    /// Outcomes in the batch's order. `between` runs after each image and each batch step
    /// (Network.predict), so a caller can answer MPI while a batch is in progress; that time
    /// is not counted as inference.
    func infer(_ batch: DecodedBatch, between: () throws -> Void) rethrows -> [Outcome] {
        images += batch.items.count
        decodeSeconds += batch.seconds
        var start = Clock.now
        var outcomes = batch.items.indices.map { batch.failures[$0] }
        if !batch.loaded.isEmpty {
            try network.predict(batch.inputs.pointer, count: batch.loaded.count, into: outputs.pointer) {
                let paused = Clock.now
                try between()
                start += Clock.now - paused
            }
            let k = network.outputCount
            for (slot, position) in batch.loaded.enumerated() {
                outcomes[position] = .success(batch.items[position].index, Array(UnsafeBufferPointer(start: outputs.pointer + slot * k, count: k)))
            }
        }
        inferSeconds += Clock.now - start
        return outcomes.map { $0! }
    }
}
