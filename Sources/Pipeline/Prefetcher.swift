import Engine
import FileSystem
import Foundation

/// Decodes the next batch on a second thread while the network works on the current one.
/// Two input buffers take turns. MPI is only ever called from the main thread.
final class Prefetcher {
    private let decoder: BatchDecoder
    private let buffers: [FloatBuffer]
    private var nextBuffer = 0
    private let condition = NSCondition()
    private var job: [(index: Int, source: InputSource)]? = nil
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
    func submit(_ items: [(index: Int, source: InputSource)]) {
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
