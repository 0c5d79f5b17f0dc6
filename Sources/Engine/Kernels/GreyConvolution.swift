/// A 3x3, stride-1 convolution of a one-channel image fused with the 2x2 max pooling
/// after it: the first layer of a grey-image model, done in registers.
///
/// out is (OH/2, OW/2, OC); inp is (H, W, 1). For each vector of output channels the nine
/// tap weight vectors stay in registers; for each pair of conv rows and block of 8 columns,
/// each conv pixel is nine FMAs with broadcast pixels into one accumulator. The 2x2 maxima
/// are taken in registers, then bias and clamp, and 4 pooled pixels stored. No
/// intermediate buffer. Every conv output is the sum over (ky, kx) in that order (the same
/// order as the reference); max before bias and clamp gives the same floats (monotonic).
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
        let pooledH = g.outH / 2, pooledW = g.outW / 2, outC = g.outC
        let (low, high) = clamp.vectors
        var firstChannel = 0
        while firstChannel < paddedChannels {
            let w = UnsafePointer(kernel.pointer) + firstChannel
            let (w0, w1, w2) = (Vector.load(w), Vector.load(w + paddedChannels), Vector.load(w + 2 * paddedChannels))
            let (w3, w4, w5) = (Vector.load(w + 3 * paddedChannels), Vector.load(w + 4 * paddedChannels), Vector.load(w + 5 * paddedChannels))
            let (w6, w7, w8) = (Vector.load(w + 6 * paddedChannels), Vector.load(w + 7 * paddedChannels), Vector.load(w + 8 * paddedChannels))
            let b = Vector.load(bias.pointer + firstChannel)
            let count = min(vectorWidth, outC - firstChannel)
            for py in 0..<pooledH {
                let r0 = source + 2 * py * pitch
                let (r1, r2, r3) = (r0 + pitch, r0 + 2 * pitch, r0 + 3 * pitch)
                var x = 0
                while x < 2 * pooledW {
                    // Conv row 2py reads image rows r0..r2, row 2py+1 reads r1..r3.
                    @inline(__always) func pixel(_ p: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>) -> Vector {
                        var acc = Vector()
                        let q = x + p
                        acc.accumulate(Vector(repeating: a[q]), w0); acc.accumulate(Vector(repeating: a[q + 1]), w1); acc.accumulate(Vector(repeating: a[q + 2]), w2)
                        acc.accumulate(Vector(repeating: b[q]), w3); acc.accumulate(Vector(repeating: b[q + 1]), w4); acc.accumulate(Vector(repeating: b[q + 2]), w5)
                        acc.accumulate(Vector(repeating: c[q]), w6); acc.accumulate(Vector(repeating: c[q + 1]), w7); acc.accumulate(Vector(repeating: c[q + 2]), w8)
                        return acc
                    }
                    let target = out + (py * pooledW + x / 2) * outC + firstChannel
                    let pairs = min(4, pooledW - x / 2)
                    for k in 0..<pairs {
                        let top = Vector.maximum(pixel(2 * k, r0, r1, r2), pixel(2 * k + 1, r0, r1, r2))
                        let bottom = Vector.maximum(pixel(2 * k, r1, r2, r3), pixel(2 * k + 1, r1, r2, r3))
                        Vector.clamp(Vector.maximum(top, bottom) + b, low, high).store(target + k * outC, count: count)
                    }
                    x += 8
                }
            }
            firstChannel += vectorWidth
        }
    }
}
