import Engine
import FileSystem

/// One batch of photos turned into model inputs: which positions have an input tensor
/// (in order, packed at the front of `inputs`), and the failures of the others.
struct DecodedBatch {
    var items: [(index: Int, source: InputSource)]
    var inputs: FloatBuffer
    var loaded: [Int] = []
    var failures: [Int: Outcome] = [:]
    var seconds = 0.0
}
