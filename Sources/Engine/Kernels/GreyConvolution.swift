/// A 3x3, stride-1 convolution of a one-channel image fused with the 2x2 max pooling
/// after it: the first layer of a grey-image model, done in registers.
///
/// out is (OH/2, OW/2, OC); inp is (H, W, 1). For each vector of output channels the
/// nine tap weight vectors stay in registers; each conv pixel is nine FMAs with broadcast
/// pixels into one accumulator. The 2x2 maxima are taken in registers, then bias and
/// clamp, and the pooled pixel stored. No intermediate buffer. Every conv output is the
/// sum over (ky, kx) in that order (the same order as the reference); max before bias and
/// clamp gives the same floats (monotonic).
public final class GreyConvolution {
    let g: WindowGeometry
    let clamp: ClampRange
    private let paddedChannels: Int
    private let kernel: FloatBuffer     // (9, OCp)
    private let bias: FloatBuffer
    /// The input copied into a zero border, for `same` padding; nil without padding, when
    /// every read lies inside the input (the last pooled pair reads column 2 * pooledW + 1
    /// <= W - 1 and row 2 * pooledH + 1 <= H - 1), which is then read in place.
    private let image: FloatBuffer?
    private let pitch: Int              // floats per row of what the kernel reads

    public static func supports(_ g: WindowGeometry, pools: Bool) -> Bool {
        pools && g.c == 1 && g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1
            && g.dilationH == 1 && g.dilationW == 1 && g.outH >= 2 && g.outW >= 2
    }

    public init(_ g: WindowGeometry, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?, clamp: ClampRange) {
        precondition(GreyConvolution.supports(g, pools: true))
        self.g = g
        self.clamp = clamp
        paddedChannels = paddedToVector(g.outC)
        kernel = FloatBuffer(count: 9 * paddedChannels)
        for tap in 0..<9 { (kernel.pointer + tap * paddedChannels).update(from: source + tap * g.outC, count: g.outC) }
        bias = FloatBuffer(count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.outC) }
        if g.paddedH == g.h && g.paddedW == g.w {
            (image, pitch) = (nil, g.w)
        } else {
            (image, pitch) = (FloatBuffer(count: g.paddedH * g.paddedW), g.paddedW)
        }
    }

    public var outputShape: [Int] { [g.outH / 2, g.outW / 2, g.outC] }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        let source = g.padded(inp, into: image)
        for firstChannel in stride(from: 0, to: paddedChannels, by: vectorWidth) {
            pass(firstChannel, source, out)
        }
    }

    /// All pooled pixels for one vector of output channels from firstChannel, one pooled
    /// pixel at a time: its four conv pixels read a 4x4 patch of the image (16 broadcasts).
    /// One vector per pass keeps the nine weights, four sums and the broadcasts in registers
    /// on AVX2 too; two vectors per pass, or several pooled pixels per step, made the
    /// compiler spill (AVX2 ~1.3x slower, AVX-512 no faster).
    @inline(__always)
    private func pass(_ firstChannel: Int, _ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let pooledH = g.outH / 2, pooledW = g.outW / 2, outC = g.outC
        let (low, high) = clamp.vectors
        let w = UnsafePointer(kernel.pointer) + firstChannel
        @inline(__always) func weight(_ t: Int) -> Vector { Vector.load(w + t * paddedChannels) }
        let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (weight(0), weight(1), weight(2), weight(3), weight(4), weight(5), weight(6), weight(7), weight(8))
        let b = Vector.load(bias.pointer + firstChannel)
        let count = min(vectorWidth, outC - firstChannel)
        for py in 0..<pooledH {
            let r0 = source + 2 * py * pitch
            let (r1, r2, r3) = (r0 + pitch, r0 + 2 * pitch, r0 + 3 * pitch)
            let rowTarget = out + py * pooledW * outC + firstChannel
            for px in 0..<pooledW {
                let x = 2 * px
                // Conv row 2py reads image rows r0..r2, row 2py+1 reads r1..r3.
                @inline(__always) func pixel(_ q: Int, _ rowA: UnsafePointer<Float>, _ rowB: UnsafePointer<Float>, _ rowC: UnsafePointer<Float>) -> Vector {
                    var acc = Vector()
                    acc.accumulate(Vector(repeating: rowA[q]), w0); acc.accumulate(Vector(repeating: rowA[q + 1]), w1)
                    acc.accumulate(Vector(repeating: rowA[q + 2]), w2); acc.accumulate(Vector(repeating: rowB[q]), w3)
                    acc.accumulate(Vector(repeating: rowB[q + 1]), w4); acc.accumulate(Vector(repeating: rowB[q + 2]), w5)
                    acc.accumulate(Vector(repeating: rowC[q]), w6); acc.accumulate(Vector(repeating: rowC[q + 1]), w7)
                    acc.accumulate(Vector(repeating: rowC[q + 2]), w8)
                    return acc
                }
                let top = Vector.maximum(pixel(x, r0, r1, r2), pixel(x + 1, r0, r1, r2))
                let bottom = Vector.maximum(pixel(x, r1, r2, r3), pixel(x + 1, r1, r2, r3))
                Vector.clamp(Vector.maximum(top, bottom) + b, low, high).store(rowTarget + px * outC, count: count)
            }
        }
    }
}
