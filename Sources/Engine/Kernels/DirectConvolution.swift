/// Direct convolution for one image, NHWC, vectorised over output channels.
///
/// out is (OH, OW, OC), inp is (H, W, C); the kernel is repacked once to
/// (KH, KW, C, OCp) with OCp = OC rounded up to 16 lanes. A block of 8 output
/// pixels of one row times 32 (or 16) output channels is held in registers while
/// the (ky, kx, c) loop broadcasts one input value per pixel and issues one FMA
/// per accumulator: an implicit-im2col GEMM micro-kernel. Every output is the sum
/// over (ky, kx, c) in that order, then + bias, whichever path computes it, so a
/// pixel's value never depends on its neighbours or the batch.
public final class DirectConvolution {
    let g: WindowGeometry
    let activation: Activation
    private let paddedChannels: Int
    private let kernel: FloatBuffer
    private let bias: FloatBuffer
    private let paddedInput: FloatBuffer?

    public init(_ g: WindowGeometry, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?,
         activation: Activation) {
        self.g = g
        self.activation = activation
        paddedChannels = paddedToVector(g.outC)
        kernel = FloatBuffer(count: g.kernelH * g.kernelW * g.c * paddedChannels)
        for tap in 0..<(g.kernelH * g.kernelW * g.c) {
            (kernel.pointer + tap * paddedChannels).update(from: source + tap * g.outC, count: g.outC)
        }
        bias = FloatBuffer(count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.outC) }
        paddedInput = g.needsPadding ? FloatBuffer(count: g.paddedH * g.paddedW * g.c) : nil
    }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        let source = padIfNeeded(inp)
        for oy in 0..<g.outH {
            var firstChannel = 0
            while firstChannel < paddedChannels {
                let wide = paddedChannels - firstChannel >= 2 * vectorWidth
                var ox = 0
                while ox + 8 <= g.outW {
                    if wide { block8x2(out, source, oy, ox, firstChannel) } else { block8x1(out, source, oy, ox, firstChannel) }
                    ox += 8
                }
                while ox < g.outW {
                    pixel(out, source, oy, ox, firstChannel, vectors: wide ? 2 : 1)
                    ox += 1
                }
                firstChannel += wide ? 2 * vectorWidth : vectorWidth
            }
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

    /// First input value a tap reads for output (oy, ox): the caller adds c.
    @inline(__always)
    private func tapInput(_ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ ky: Int, _ kx: Int) -> UnsafePointer<Float> {
        source + ((oy * g.strideH + ky * g.dilationH) * g.paddedW + ox * g.strideW + kx * g.dilationW) * g.c
    }

    @inline(__always)
    private func tapKernel(_ ky: Int, _ kx: Int, _ firstChannel: Int) -> UnsafePointer<Float> {
        UnsafePointer(kernel.pointer) + (ky * g.kernelW + kx) * g.c * paddedChannels + firstChannel
    }

    /// Adds the bias, applies the activation and stores the valid lanes of one 16-channel vector.
    @inline(__always)
    private func finish(_ acc: Vector, _ out: UnsafeMutablePointer<Float>, _ oy: Int, _ ox: Int, _ channel: Int) {
        var v = acc + Vector.load(bias.pointer + channel)
        if activation == .relu { v = v.relu() }
        v.store(out + (oy * g.outW + ox) * g.outC + channel, count: min(vectorWidth, g.outC - channel))
    }

    private func block8x2(_ out: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ firstChannel: Int) {
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
        var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector(), b4 = Vector(), b5 = Vector(), b6 = Vector(), b7 = Vector()
        let step = g.strideW * g.c
        for ky in 0..<g.kernelH {
            for kx in 0..<g.kernelW {
                let x = tapInput(source, oy, ox, ky, kx)
                let w = tapKernel(ky, kx, firstChannel)
                for c in 0..<g.c {
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
        finish(a0, out, oy, ox, firstChannel); finish(b0, out, oy, ox, second)
        finish(a1, out, oy, ox + 1, firstChannel); finish(b1, out, oy, ox + 1, second)
        finish(a2, out, oy, ox + 2, firstChannel); finish(b2, out, oy, ox + 2, second)
        finish(a3, out, oy, ox + 3, firstChannel); finish(b3, out, oy, ox + 3, second)
        finish(a4, out, oy, ox + 4, firstChannel); finish(b4, out, oy, ox + 4, second)
        finish(a5, out, oy, ox + 5, firstChannel); finish(b5, out, oy, ox + 5, second)
        finish(a6, out, oy, ox + 6, firstChannel); finish(b6, out, oy, ox + 6, second)
        finish(a7, out, oy, ox + 7, firstChannel); finish(b7, out, oy, ox + 7, second)
    }

    private func block8x1(_ out: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ firstChannel: Int) {
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
        let step = g.strideW * g.c
        for ky in 0..<g.kernelH {
            for kx in 0..<g.kernelW {
                let x = tapInput(source, oy, ox, ky, kx)
                let w = tapKernel(ky, kx, firstChannel)
                for c in 0..<g.c {
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
        finish(a0, out, oy, ox, firstChannel); finish(a1, out, oy, ox + 1, firstChannel)
        finish(a2, out, oy, ox + 2, firstChannel); finish(a3, out, oy, ox + 3, firstChannel)
        finish(a4, out, oy, ox + 4, firstChannel); finish(a5, out, oy, ox + 5, firstChannel)
        finish(a6, out, oy, ox + 6, firstChannel); finish(a7, out, oy, ox + 7, firstChannel)
    }

    /// One output pixel: the row remainder, same summation order as the blocks.
    private func pixel(_ out: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ oy: Int, _ ox: Int,
                       _ firstChannel: Int, vectors: Int) {
        var a = Vector(), b = Vector()
        for ky in 0..<g.kernelH {
            for kx in 0..<g.kernelW {
                let x = tapInput(source, oy, ox, ky, kx)
                let w = tapKernel(ky, kx, firstChannel)
                for c in 0..<g.c {
                    let v = Vector(repeating: x[c])
                    a.accumulate(v, Vector.load(w + c * paddedChannels))
                    if vectors == 2 { b.accumulate(v, Vector.load(w + c * paddedChannels + vectorWidth)) }
                }
            }
        }
        finish(a, out, oy, ox, firstChannel)
        if vectors == 2 { finish(b, out, oy, ox, firstChannel + vectorWidth) }
    }
}
