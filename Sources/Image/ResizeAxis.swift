/// Where each output row (or column) of TensorFlow's bilinear resize samples the
/// source: `tf.image.resize(method="bilinear", antialias=False)`, i.e. ResizeBilinear
/// with half-pixel centres, computed in float32 exactly as TF does:
///   scale = in / out;  src = (dst + 0.5) * scale - 0.5
///   lower = max(floor(src), 0);  upper = min(ceil(src), in - 1);  lerp = src - floor(src)
public struct ResizeAxis {
    public let lower: [Int32]
    public let upper: [Int32]
    public let lerp: [Float]

    public init(inputSize: Int, outputSize: Int) {
        let scale = Float(inputSize) / Float(outputSize)
        var lower = [Int32](), upper = [Int32](), lerp = [Float]()
        lower.reserveCapacity(outputSize); upper.reserveCapacity(outputSize); lerp.reserveCapacity(outputSize)
        for i in 0..<outputSize {
            let src = (Float(i) + 0.5) * scale - 0.5
            let floorSrc = src.rounded(.down)
            lower.append(Int32(max(floorSrc, 0)))
            upper.append(Int32(min(src.rounded(.up), Float(inputSize - 1))))
            lerp.append(src - floorSrc)
        }
        self.lower = lower; self.upper = upper; self.lerp = lerp
    }

    /// The source indices this axis reads, ascending and distinct.
    public var sourceIndices: [Int32] {
        guard let last = upper.last else { return [] }
        var used = [Bool](repeating: false, count: Int(last) + 1)
        for i in lower { used[Int(i)] = true }
        for i in upper { used[Int(i)] = true }
        return used.indices.filter { used[$0] }.map { Int32($0) }
    }
}
