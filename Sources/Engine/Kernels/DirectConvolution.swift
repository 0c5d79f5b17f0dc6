/// Direct convolution for one image, NHWC, vectorised over output channels, optionally
/// fused with the 2x2 max pooling that follows it.
///
/// out is (OH, OW, OC), or (OH/2, OW/2, OC) when pooling; inp is (H, W, C); the kernel is
/// repacked once to (KH, KW, C, OCp) with OCp = OC rounded up to 16 lanes. A block of 8
/// output pixels of one row times 32 (or 16) output channels is held in registers while the
/// (ky, kx, c) loop broadcasts one input value per pixel and issues one FMA per accumulator:
/// an implicit-im2col GEMM micro-kernel. Every output is the sum over (ky, kx, c) in that
/// order, then + bias, whichever path computes it, so a pixel's value never depends on its
/// neighbours or the batch.
///
/// Without dilation, the KW x C inputs of one kernel row are contiguous in NHWC, and so
/// are their weights: the inner loop walks that run of KW*C values in one go, which keeps a
/// 1-channel first layer from spending its time in loop overhead.
///
/// Pooling works on two conv rows at a time in a small band buffer, so the full-size
/// convolution output is never written. Taking the max before adding the bias and applying
/// ReLU gives the very same floats (rounding and ReLU are monotonic), one add per pooled value.
public final class DirectConvolution {
    let g: WindowGeometry
    /// Each kernel row is `runs` runs of `runLength` contiguous (input, weight) pairs,
    /// `runStride` floats apart in the input: one run of KW*C without dilation.
    private let runs: Int
    private let runLength: Int
    private let runStride: Int
    let activation: Activation
    let pools: Bool
    private let paddedChannels: Int
    private let kernel: FloatBuffer
    private let bias: FloatBuffer
    private let paddedInput: FloatBuffer?
    private let band: FloatBuffer?      // two raw conv rows when pooling

    /// `activation` must be linear or relu (others run as a separate step).
    public init(_ g: WindowGeometry, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?,
                activation: Activation, maxPool2x2: Bool = false) {
        precondition(activation == .linear || activation == .relu)
        self.g = g
        self.activation = activation
        pools = maxPool2x2
        paddedChannels = paddedToVector(g.outC)
        kernel = FloatBuffer(count: g.kernelH * g.kernelW * g.c * paddedChannels)
        for tap in 0..<(g.kernelH * g.kernelW * g.c) {
            (kernel.pointer + tap * paddedChannels).update(from: source + tap * g.outC, count: g.outC)
        }
        bias = FloatBuffer(count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.outC) }
        paddedInput = g.needsPadding ? FloatBuffer(count: g.paddedH * g.paddedW * g.c) : nil
        band = maxPool2x2 ? FloatBuffer(count: 2 * g.outW * g.outC) : nil
        if g.dilationW == 1 {
            (runs, runLength, runStride) = (1, g.kernelW * g.c, 0)
        } else {
            (runs, runLength, runStride) = (g.kernelW, g.c, g.dilationW * g.c)
        }
    }

    /// The output shape: the convolution's, halved when pooling.
    public var outputShape: [Int] { pools ? [g.outH / 2, g.outW / 2, g.outC] : [g.outH, g.outW, g.outC] }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        let source = padIfNeeded(inp)
        guard let band else {
            for oy in 0..<g.outH { row(oy, source, into: out + oy * g.outW * g.outC, raw: false) }
            return
        }
        let rowCount = g.outW * g.outC
        let pooledW = g.outW / 2
        for py in 0..<(g.outH / 2) {
            row(2 * py, source, into: band.pointer, raw: true)
            row(2 * py + 1, source, into: band.pointer + rowCount, raw: true)
            let target = out + py * pooledW * g.outC
            for px in 0..<pooledW {
                var channel = 0
                while channel < g.outC {
                    let n = min(vectorWidth, g.outC - channel)
                    let a = band.pointer + 2 * px * g.outC + channel
                    let top = Vector.maximum(Vector.load(a, count: n), Vector.load(a + g.outC, count: n))
                    let bottom = Vector.maximum(Vector.load(a + rowCount, count: n), Vector.load(a + rowCount + g.outC, count: n))
                    var v = Vector.maximum(top, bottom) + Vector.load(bias.pointer + channel)
                    if activation == .relu { v = v.relu() }
                    v.store(target + px * g.outC + channel, count: n)
                    channel += vectorWidth
                }
            }
        }
    }

    /// One output row (OW x OC) into `rowOut`: raw sums, or with bias and activation.
    private func row(_ oy: Int, _ source: UnsafePointer<Float>, into rowOut: UnsafeMutablePointer<Float>, raw: Bool) {
        var firstChannel = 0
        while firstChannel < paddedChannels {
            let wide = paddedChannels - firstChannel >= 2 * vectorWidth
            var ox = 0
            while ox + 8 <= g.outW {
                if wide { block8x2(rowOut, source, oy, ox, firstChannel, raw) } else { block8x1(rowOut, source, oy, ox, firstChannel, raw) }
                ox += 8
            }
            while ox < g.outW {
                pixel(rowOut, source, oy, ox, firstChannel, vectors: wide ? 2 : 1, raw)
                ox += 1
            }
            firstChannel += wide ? 2 * vectorWidth : vectorWidth
        }
    }

    /// Copies the image into the zero border that `same` padding implies.
    private func padIfNeeded(_ inp: UnsafePointer<Float>) -> UnsafePointer<Float> {
        guard let paddedInput else { return inp }
        for y in 0..<g.h {
            (paddedInput.pointer + ((y + g.padTop) * g.paddedW + g.padLeft) * g.c).update(from: inp + y * g.w * g.c, count: g.w * g.c)
        }
        return UnsafePointer(paddedInput.pointer)
    }

    /// First input value of run r of kernel row ky for output (oy, ox).
    @inline(__always)
    private func runInput(_ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ ky: Int, _ r: Int) -> UnsafePointer<Float> {
        source + ((oy * g.strideH + ky * g.dilationH) * g.paddedW + ox * g.strideW) * g.c + r * runStride
    }

    /// Weights of run r of kernel row ky, from output channel firstChannel.
    @inline(__always)
    private func runKernel(_ ky: Int, _ r: Int, _ firstChannel: Int) -> UnsafePointer<Float> {
        UnsafePointer(kernel.pointer) + ((ky * g.kernelW) * g.c + r * runLength) * paddedChannels + firstChannel
    }

    /// Stores the valid lanes of one 16-channel vector of output pixel ox: raw, or + bias and activation.
    @inline(__always)
    private func finish(_ acc: Vector, _ rowOut: UnsafeMutablePointer<Float>, _ ox: Int, _ channel: Int, _ raw: Bool) {
        var v = acc
        if !raw {
            v += Vector.load(bias.pointer + channel)
            if activation == .relu { v = v.relu() }
        }
        v.store(rowOut + ox * g.outC + channel, count: min(vectorWidth, g.outC - channel))
    }

    private func block8x2(_ out: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ firstChannel: Int, _ raw: Bool) {
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
        var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector(), b4 = Vector(), b5 = Vector(), b6 = Vector(), b7 = Vector()
        let step = g.strideW * g.c
        for ky in 0..<g.kernelH {
            for r in 0..<runs {
                let x = runInput(source, oy, ox, ky, r)
                let w = runKernel(ky, r, firstChannel)
                for c in 0..<runLength {
                    let w0 = Vector.load(w + c * paddedChannels), w1 = Vector.load(w + c * paddedChannels + vectorWidth)
                    let p = x + c
                    var v = Vector(repeating: p[0]); a0.accumulate(v, w0); b0.accumulate(v, w1)
                    v = Vector(repeating: p[step]); a1.accumulate(v, w0); b1.accumulate(v, w1)
                    v = Vector(repeating: p[2 * step]); a2.accumulate(v, w0); b2.accumulate(v, w1)
                    v = Vector(repeating: p[3 * step]); a3.accumulate(v, w0); b3.accumulate(v, w1)
                    v = Vector(repeating: p[4 * step]); a4.accumulate(v, w0); b4.accumulate(v, w1)
                    v = Vector(repeating: p[5 * step]); a5.accumulate(v, w0); b5.accumulate(v, w1)
                    v = Vector(repeating: p[6 * step]); a6.accumulate(v, w0); b6.accumulate(v, w1)
                    v = Vector(repeating: p[7 * step]); a7.accumulate(v, w0); b7.accumulate(v, w1)
                }
            }
        }
        let second = firstChannel + vectorWidth
        finish(a0, out, ox, firstChannel, raw); finish(b0, out, ox, second, raw)
        finish(a1, out, ox + 1, firstChannel, raw); finish(b1, out, ox + 1, second, raw)
        finish(a2, out, ox + 2, firstChannel, raw); finish(b2, out, ox + 2, second, raw)
        finish(a3, out, ox + 3, firstChannel, raw); finish(b3, out, ox + 3, second, raw)
        finish(a4, out, ox + 4, firstChannel, raw); finish(b4, out, ox + 4, second, raw)
        finish(a5, out, ox + 5, firstChannel, raw); finish(b5, out, ox + 5, second, raw)
        finish(a6, out, ox + 6, firstChannel, raw); finish(b6, out, ox + 6, second, raw)
        finish(a7, out, ox + 7, firstChannel, raw); finish(b7, out, ox + 7, second, raw)
    }

    private func block8x1(_ out: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ firstChannel: Int, _ raw: Bool) {
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
        let step = g.strideW * g.c
        for ky in 0..<g.kernelH {
            for r in 0..<runs {
                let x = runInput(source, oy, ox, ky, r)
                let w = runKernel(ky, r, firstChannel)
                for c in 0..<runLength {
                    let w0 = Vector.load(w + c * paddedChannels)
                    let p = x + c
                    a0.accumulate(Vector(repeating: p[0]), w0)
                    a1.accumulate(Vector(repeating: p[step]), w0)
                    a2.accumulate(Vector(repeating: p[2 * step]), w0)
                    a3.accumulate(Vector(repeating: p[3 * step]), w0)
                    a4.accumulate(Vector(repeating: p[4 * step]), w0)
                    a5.accumulate(Vector(repeating: p[5 * step]), w0)
                    a6.accumulate(Vector(repeating: p[6 * step]), w0)
                    a7.accumulate(Vector(repeating: p[7 * step]), w0)
                }
            }
        }
        finish(a0, out, ox, firstChannel, raw); finish(a1, out, ox + 1, firstChannel, raw)
        finish(a2, out, ox + 2, firstChannel, raw); finish(a3, out, ox + 3, firstChannel, raw)
        finish(a4, out, ox + 4, firstChannel, raw); finish(a5, out, ox + 5, firstChannel, raw)
        finish(a6, out, ox + 6, firstChannel, raw); finish(a7, out, ox + 7, firstChannel, raw)
    }

    /// One output pixel: the row remainder, same summation order as the blocks.
    private func pixel(_ out: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int,
                       _ firstChannel: Int, vectors: Int, _ raw: Bool) {
        var a = Vector(), b = Vector()
        for ky in 0..<g.kernelH {
            for r in 0..<runs {
                let x = runInput(source, oy, ox, ky, r)
                let w = runKernel(ky, r, firstChannel)
                for c in 0..<runLength {
                    let v = Vector(repeating: x[c])
                    a.accumulate(v, Vector.load(w + c * paddedChannels))
                    if vectors == 2 { b.accumulate(v, Vector.load(w + c * paddedChannels + vectorWidth)) }
                }
            }
        }
        finish(a, out, ox, firstChannel, raw)
        if vectors == 2 { finish(b, out, ox, firstChannel + vectorWidth, raw) }
    }
}
