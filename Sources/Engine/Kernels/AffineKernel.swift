/// out = x * scale[c] + offset[c] per channel (Rescaling, a batch norm that no convolution
/// absorbed), vectorised over the flat tensor whatever the channel count.
///
/// A vector's lanes cover consecutive floats, so with C channels the per-lane scales repeat
/// every C vectors: the kernel keeps scale and offset tiled over C * vectorWidth floats and
/// walks the tensor in periods of that length (a 3-channel image: 3 vectors per period,
/// not a 3-float inner loop). Each float is one multiply then one add, rounded separately,
/// as `affineForward` (the reference) computes it: the same bits.
public final class AffineKernel {
    let channels: Int
    private let period: Int
    private let scales: FloatBuffer     // period floats: scale of channel (i % C) at i
    private let offsets: FloatBuffer

    /// `scale` and `offset` have one or `channels` values.
    public init(channels: Int, scale: [Float], offset: [Float]) {
        self.channels = channels
        period = channels * vectorWidth
        scales = FloatBuffer(count: period)
        offsets = FloatBuffer(count: period)
        for i in 0..<period {
            let c = i % channels
            scales.pointer[i] = scale.count == 1 ? scale[0] : scale[c]
            offsets.pointer[i] = offset.count == 1 ? offset[0] : offset[c]
        }
    }

    /// `count` floats, a whole number of pixels (channels last).
    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        let s = UnsafePointer(scales.pointer), o = UnsafePointer(offsets.pointer)
        var i = 0
        while i + period <= count {
            for v in stride(from: 0, to: period, by: vectorWidth) {
                let x = Vector.load(inp + i + v)
                let product = x * Vector.load(s + v)
                (product + Vector.load(o + v)).store(out + i + v)
            }
            i += period
        }
        // The tail starts at a period boundary, so float j has channel j % C again.
        for j in 0..<(count - i) {
            let product = inp[i + j] * s[j]
            out[i + j] = product + o[j]
        }
    }
}
