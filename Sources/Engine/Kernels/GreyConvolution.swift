/// A 3x3, stride-1 convolution of a one-channel image fused with the 2x2 max pooling
/// after it: the first layer of a grey-image model, done in registers.
///
/// out is (OH/2, OW/2, OC); inp is (H, W, 1). For each vector (or pair of vectors,
/// KernelShapes.greyVectors) of output channels the nine tap weight vectors stay in registers; for each pair of conv rows and block of 8 columns,
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
        var firstChannel = 0
        while firstChannel < paddedChannels {
            // Two channel vectors per pass where the build asks for it (AVX2: 8 FMA chains
            // instead of 4); each lane's sum is the same either way.
            if KernelShapes.greyVectors == 2 && paddedChannels - firstChannel >= 2 * vectorWidth {
                pass(firstChannel, wide: true, source, out)
                firstChannel += 2 * vectorWidth
            } else {
                pass(firstChannel, wide: false, source, out)
                firstChannel += vectorWidth
            }
        }
    }

    /// All pooled pixels for one (or, `wide`, two) vectors of output channels from firstChannel.
    @inline(__always)
    private func pass(_ firstChannel: Int, wide: Bool, _ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let pooledH = g.outH / 2, pooledW = g.outW / 2, outC = g.outC
        let (low, high) = clamp.vectors
        let w = UnsafePointer(kernel.pointer) + firstChannel
        @inline(__always) func weight(_ t: Int, _ v: Int) -> Vector { v == 0 || wide ? Vector.load(w + t * paddedChannels + v * vectorWidth) : Vector() }
        let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (weight(0, 0), weight(1, 0), weight(2, 0), weight(3, 0), weight(4, 0), weight(5, 0), weight(6, 0), weight(7, 0), weight(8, 0))
        let (u0, u1, u2, u3, u4, u5, u6, u7, u8) = (weight(0, 1), weight(1, 1), weight(2, 1), weight(3, 1), weight(4, 1), weight(5, 1), weight(6, 1), weight(7, 1), weight(8, 1))
        let b = Vector.load(bias.pointer + firstChannel), b2 = wide ? Vector.load(bias.pointer + firstChannel + vectorWidth) : Vector()
        let count = min(vectorWidth, outC - firstChannel), count2 = wide ? min(vectorWidth, outC - firstChannel - vectorWidth) : 0
        for py in 0..<pooledH {
            let r0 = source + 2 * py * pitch
            let (r1, r2, r3) = (r0 + pitch, r0 + 2 * pitch, r0 + 3 * pitch)
            var x = 0
            while x < 2 * pooledW {
                // Conv row 2py reads image rows r0..r2, row 2py+1 reads r1..r3.
                @inline(__always) func pixel(_ p: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>) -> (Vector, Vector) {
                    var acc = Vector(), acc2 = Vector()
                    let q = x + p
                    @inline(__always) func tap(_ value: Float, _ first: Vector, _ second: Vector) {
                        let v = Vector(repeating: value)
                        acc.accumulate(v, first)
                        if wide { acc2.accumulate(v, second) }
                    }
                    tap(a[q], w0, u0); tap(a[q + 1], w1, u1); tap(a[q + 2], w2, u2)
                    tap(b[q], w3, u3); tap(b[q + 1], w4, u4); tap(b[q + 2], w5, u5)
                    tap(c[q], w6, u6); tap(c[q + 1], w7, u7); tap(c[q + 2], w8, u8)
                    return (acc, acc2)
                }
                let target = out + (py * pooledW + x / 2) * outC + firstChannel
                let pairs = min(4, pooledW - x / 2)
                for k in 0..<pairs {
                    let (t0, t1) = (pixel(2 * k, r0, r1, r2), pixel(2 * k + 1, r0, r1, r2))
                    let (s0, s1) = (pixel(2 * k, r1, r2, r3), pixel(2 * k + 1, r1, r2, r3))
                    let top = Vector.maximum(t0.0, t1.0), bottom = Vector.maximum(s0.0, s1.0)
                    Vector.clamp(Vector.maximum(top, bottom) + b, low, high).store(target + k * outC, count: count)
                    if wide {
                        let top2 = Vector.maximum(t0.1, t1.1), bottom2 = Vector.maximum(s0.1, s1.1)
                        Vector.clamp(Vector.maximum(top2, bottom2) + b2, low, high).store(target + k * outC + vectorWidth, count: count2)
                    }
                }
                x += 8
            }
        }
    }
}
