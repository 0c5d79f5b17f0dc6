import Engine
import Image

/// Decodes, preprocesses and classifies one batch at a time on this rank.
/// Per-image failures become failure outcomes; the batch goes on with the others.
final class InferenceWorker {
    let network: Network
    let preprocessor: ImagePreprocessor
    private let inputs: FloatBuffer
    private let outputs: FloatBuffer

    /// Seconds spent decoding + preprocessing, and in the network.
    private(set) var decodeSeconds = 0.0
    private(set) var inferSeconds = 0.0
    private(set) var images = 0

    init(network: Network, preprocessor: ImagePreprocessor) {
        self.network = network
        self.preprocessor = preprocessor
        inputs = FloatBuffer(count: network.batchSize * network.inputShape.reduce(1, *))
        outputs = FloatBuffer(count: network.batchSize * network.outputCount)
    }

    var batchSize: Int { network.batchSize }

    /// Processes up to batchSize (index, file location) pairs; outcomes come back in the given order.
    /// `between` runs after each image, so a caller can answer MPI while a batch is in progress.
    func process(_ batch: [(index: Int, location: RawPath)], between: () throws -> Void = {}) rethrows -> [Outcome] {
        precondition(batch.count <= batchSize)
        let inputCount = network.inputShape.reduce(1, *)
        var loaded: [Int] = []   // positions in `batch` that have an input tensor
        var outcomes = [Outcome?](repeating: nil, count: batch.count)
        for (position, item) in batch.enumerated() {
            let start = Clock.now
            do {
                try preprocessor.load(path: item.location, into: inputs.pointer + loaded.count * inputCount)
                loaded.append(position)
            } catch {
                outcomes[position] = .failure(item.index, error)
            }
            decodeSeconds += Clock.now - start
            try between()
        }
        images += batch.count
        var start = Clock.now
        if !loaded.isEmpty {
            try network.predict(inputs.pointer, count: loaded.count, into: outputs.pointer) {
                // Rounds are answered between images; their time is not inference time.
                let paused = Clock.now
                try between()
                start += Clock.now - paused
            }
            let k = network.outputCount
            for (slot, position) in loaded.enumerated() {
                outcomes[position] = .success(batch[position].index, Array(UnsafeBufferPointer(start: outputs.pointer + slot * k, count: k)))
            }
        }
        inferSeconds += Clock.now - start
        try between()
        return outcomes.map { $0! }
    }
}

/// Monotonic seconds.
enum Clock {
    static var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
#if canImport(Glibc)
import Glibc
#endif
