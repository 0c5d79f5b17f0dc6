/// Depthwise convolution for one image, NHWC: each input channel has its own KH x KW
/// filter (depth multiplier M: M filters, output channel c*M + m, as Keras).
///
/// out is (OH, OW, C*M), inp is (H, W, C), kernel is (KH, KW, C, M). With M = 1 the work
/// is vectorised over 16 channels: for each channel vector the KH*KW weight vectors stay
/// in registers while the kernel walks an output row (one FMA per tap and pixel). Other
/// multipliers use `depthwiseReference`. Each output is the sum over (ky, kx) in order,
/// then + bias, then the clamp.
public final class DepthwiseConvolution {
    let g: WindowGeometry
    let multiplier: Int
    let clamp: ClampRange
    private let kernel: FloatBuffer    // (KH*KW, Cp) for M = 1, else as given
    private let bias: FloatBuffer
    private let channelPitch: Int
    private let paddedInput: FloatBuffer?

    public init(_ g: WindowGeometry, multiplier: Int, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?, clamp: ClampRange) {
        self.g = g
        self.multiplier = multiplier
        self.clamp = clamp
        channelPitch = paddedToVector(g.c * multiplier)
        let taps = g.kernelH * g.kernelW
        kernel = FloatBuffer(count: taps * channelPitch)
        for tap in 0..<taps { (kernel.pointer + tap * channelPitch).update(from: source + tap * g.c * multiplier, count: g.c * multiplier) }
        bias = FloatBuffer(count: channelPitch)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.c * multiplier) }
        paddedInput = g.needsPadding ? FloatBuffer(count: g.paddedH * g.paddedW * g.c) : nil
    }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        let bounds = clamp.vectors
        let source = padIfNeeded(inp)
        guard multiplier == 1 else {
            depthwiseReference(out: out, inp: source, kernel: kernel.pointer, kernelPitch: channelPitch, multiplier: multiplier, g, padded: true)
            for i in 0..<(g.outH * g.outW * g.outC) { out[i] = clamp.apply(out[i] + bias.pointer[i % g.outC]) }
            return
        }
        let c = g.c, taps = g.kernelH * g.kernelW
        let pitch = channelPitch
        var tapOffsets = [Int](repeating: 0, count: taps)
        for ky in 0..<g.kernelH { for kx in 0..<g.kernelW { tapOffsets[ky * g.kernelW + kx] = (ky * g.dilationH * g.paddedW + kx * g.dilationW) * c } }
        let step = g.strideW * c
        tapOffsets.withUnsafeBufferPointer { offsets in
            var channel = 0
            while channel < c {
                let n = min(vectorWidth, c - channel)
                let b = Vector.load(bias.pointer + channel)
                if taps == 9 {
                    // The common 3x3 case with its nine weight vectors in registers.
                    let w = (0..<9).map { Vector.load(kernel.pointer + $0 * pitch + channel) }
                    let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
                    let (o0, o1, o2, o3, o4, o5, o6, o7, o8) = (offsets[0], offsets[1], offsets[2], offsets[3], offsets[4], offsets[5], offsets[6], offsets[7], offsets[8])
                    for oy in 0..<g.outH {
                        var x = source + oy * g.strideH * g.paddedW * c + channel
                        var o = out + oy * g.outW * c + channel
                        for _ in 0..<g.outW {
                            var acc = Vector()
                            acc.accumulate(Vector.load(x + o0, count: n), w0); acc.accumulate(Vector.load(x + o1, count: n), w1)
                            acc.accumulate(Vector.load(x + o2, count: n), w2); acc.accumulate(Vector.load(x + o3, count: n), w3)
                            acc.accumulate(Vector.load(x + o4, count: n), w4); acc.accumulate(Vector.load(x + o5, count: n), w5)
                            acc.accumulate(Vector.load(x + o6, count: n), w6); acc.accumulate(Vector.load(x + o7, count: n), w7)
                            acc.accumulate(Vector.load(x + o8, count: n), w8)
                            Vector.clamp(acc + b, bounds.low, bounds.high).store(o, count: n)
                            x += step
                            o += c
                        }
                    }
                } else {
                    for oy in 0..<g.outH {
                        for ox in 0..<g.outW {
                            let x = source + (oy * g.strideH * g.paddedW + ox * g.strideW) * c + channel
                            var acc = Vector()
                            for t in 0..<taps { acc.accumulate(Vector.load(x + offsets[t], count: n), Vector.load(kernel.pointer + t * pitch + channel)) }
                            Vector.clamp(acc + b, bounds.low, bounds.high).store(out + (oy * g.outW + ox) * c + channel, count: n)
                        }
                    }
                }
                channel += vectorWidth
            }
        }
    }

    private func padIfNeeded(_ inp: UnsafePointer<Float>) -> UnsafePointer<Float> {
        guard let paddedInput else { return inp }
        for y in 0..<g.h {
            (paddedInput.pointer + ((y + g.padTop) * g.paddedW + g.padLeft) * g.c).update(from: inp + y * g.w * g.c, count: g.w * g.c)
        }
        return UnsafePointer(paddedInput.pointer)
    }
}
