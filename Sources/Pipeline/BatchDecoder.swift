import Engine
import FileSystem
import Image

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
