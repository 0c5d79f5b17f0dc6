import Engine
import FileSystem
import Image

/// Reads and preprocesses batches of photos; per-image failures become failure outcomes.
/// One per thread (it owns the JPEG decoder and scratch buffers). A tar member is read
/// from its shard at its offset; the cache (keyed by a file's identity) is for loose files.
final class BatchDecoder {
    let preprocessor: ImagePreprocessor
    let inputCount: Int
    let cache: InputCache
    private let members = MemberReader()

    init(preprocessor: ImagePreprocessor, cacheMegabytes: Int) {
        self.preprocessor = preprocessor
        inputCount = preprocessor.geometry.count
        cache = InputCache(megabytes: cacheMegabytes, inputCount: inputCount)
    }

    func decode(_ items: [(index: Int, source: InputSource)], into inputs: FloatBuffer, between: () throws -> Void) rethrows -> DecodedBatch {
        var batch = DecodedBatch(items: items, inputs: inputs)
        for (position, item) in items.enumerated() {
            let start = Clock.now
            let target = inputs.pointer + batch.loaded.count * inputCount
            do throws(ImageError) {
                switch item.source {
                case .file(let path):
                    let (hit, key) = cache.lookup(path, into: target)
                    if !hit {
                        try preprocessor.load(path: path, into: target)
                        cache.store(key, from: target)
                    }
                    batch.loaded.append(position)
                case .member(let shard, let offset, let size, _):
                    // Only this member's bytes are read (pread at its offset), never the shard.
                    try members.read(shard: shard, offset: offset, size: size)
                    try members.withBytes(size) { bytes throws(ImageError) in try preprocessor.preprocess(bytes, into: target) }
                    batch.loaded.append(position)
                case .unreadable(let failure):
                    batch.failures[position] = Outcome(index: item.index, outputs: [], failure: failure)
                }
            } catch {
                batch.failures[position] = .failure(item.index, error)
            }
            batch.seconds += Clock.now - start
            try between()
        }
        return batch
    }
}
