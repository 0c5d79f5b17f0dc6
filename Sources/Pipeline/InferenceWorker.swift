import Engine
import Foundation
import Image

/// One batch of photos turned into model inputs: which positions have an input tensor
/// (in order, packed at the front of `inputs`), and the failures of the others.
struct DecodedBatch {
    var items: [(index: Int, location: RawPath)]
    var inputs: FloatBuffer
    var loaded: [Int] = []
    var failures: [Int: Outcome] = [:]
    var seconds = 0.0
}

/// Reads and preprocesses batches of photos; per-image failures become failure outcomes.
/// One per thread (it owns the JPEG decoder and scratch buffers).
final class BatchDecoder {
    let preprocessor: ImagePreprocessor
    let inputCount: Int
    let cache: InputCache

    init(preprocessor: ImagePreprocessor, cacheMegabytes: Int) {
        self.preprocessor = preprocessor
        inputCount = preprocessor.geometry.count
        cache = InputCache(megabytes: cacheMegabytes, inputCount: inputCount)
    }

    func decode(_ items: [(index: Int, location: RawPath)], into inputs: FloatBuffer, between: () throws -> Void) rethrows -> DecodedBatch {
        var batch = DecodedBatch(items: items, inputs: inputs)
        for (position, item) in items.enumerated() {
            let start = Clock.now
            let target = inputs.pointer + batch.loaded.count * inputCount
            do {
                let (hit, key) = cache.lookup(item.location, into: target)
                if !hit {
                    try preprocessor.load(path: item.location, into: target)
                    cache.store(key, from: target)
                }
                batch.loaded.append(position)
            } catch {
                batch.failures[position] = .failure(item.index, error)
            }
            batch.seconds += Clock.now - start
            try between()
        }
        return batch
    }
}

/// Decodes the next batch on a second thread while the network works on the current one.
/// Two input buffers take turns. MPI is only ever called from the main thread.
final class Prefetcher {
    private let decoder: BatchDecoder
    private let buffers: [FloatBuffer]
    private var nextBuffer = 0
    private let condition = NSCondition()
    private var job: [(index: Int, location: RawPath)]? = nil
    private var result: DecodedBatch? = nil
    private var busy = false
    private var stopping = false

    init(decoder: BatchDecoder, batchSize: Int) {
        self.decoder = decoder
        buffers = (0..<2).map { _ in FloatBuffer(count: batchSize * decoder.inputCount) }
        // The thread holds the prefetcher until stop() lets it finish.
        let thread = Thread { [self] in self.work() }
        thread.name = "dogcat-decode"
        thread.start()
    }

    /// Starts decoding `items` (the previous result must have been taken).
    func submit(_ items: [(index: Int, location: RawPath)]) {
        condition.lock()
        precondition(!busy && result == nil)
        job = items
        busy = true
        condition.signal()
        condition.unlock()
    }

    /// The submitted batch once decoded, or nil if nothing was submitted. Waits in short
    /// slices, running `whileWaiting` between them (rank 0's rounds must go on).
    func take(whileWaiting: () throws -> Void) rethrows -> DecodedBatch? {
        while true {
            condition.lock()
            if let decoded = result {
                result = nil
                condition.unlock()
                return decoded
            }
            if !busy {
                condition.unlock()
                return nil
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.002))
            condition.unlock()
            try whileWaiting()
        }
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while job == nil && !stopping { condition.wait() }
            if stopping { condition.unlock(); return }
            let items = job!
            job = nil
            let buffer = buffers[nextBuffer]
            nextBuffer = 1 - nextBuffer
            condition.unlock()
            let decoded = decoder.decode(items, into: buffer, between: {})
            condition.lock()
            result = decoded
            busy = false
            condition.signal()
            condition.unlock()
        }
    }
}

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

    /// Outcomes in the batch's order. `between` runs after each image, so a caller can
    /// answer MPI while a batch is in progress; that time is not counted as inference.
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

/// Monotonic seconds.
enum Clock {
    static var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
