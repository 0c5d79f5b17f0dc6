/// Direct convolution for one image, NHWC, vectorised over output channels, optionally
/// fused with the 2x2 max pooling that follows it.
///
/// out is (OH, OW, OC), or (OH/2, OW/2, OC) when pooling; inp is (H, W, C). The kernel is
/// repacked once into panels of the GEMM tile's width (2 vectors of output channels), each
/// (KH, KW, C, 2 vectors) and contiguous, zero past OC: a tile reads its weights as one
/// stream. (Row-major, a wide layer's rows are kilobytes apart: MobileNetV2 ran 7-12% slower
/// as a whole network, where each image meets weights no longer in cache, though hardly
/// slower layer by layer, on warm caches.) Each output row is
/// one sweep of the micro-kernel (MicroKernel.swift) over the row's pixels: an implicit
/// im2col GEMM whose reduction walks, for each kernel row, the KW*C contiguous inputs and
/// their weights (KW runs of C when dilated). Every output is the sum over (ky, kx, c) in
/// that order, then + bias, so a pixel's value never depends on its neighbours or the batch.
///
/// Pooling works on two conv rows at a time in a small band buffer, so the full-size
/// convolution output is never written. Taking the max before adding the bias and applying
/// ReLU gives the very same floats (rounding and ReLU are monotonic), one add per pooled value.
///
/// With a `residual` passed to forward (a tensor shaped as the output, not with pooling), each
/// stored output is clamp(sum + bias) + residual: the Add of a residual block done in the
/// store, the same floats as the separate Add (residual + x; float addition is commutative).
public final class DirectConvolution {
    let g: WindowGeometry
    let clamp: ClampRange
    let pools: Bool
    private let paddedChannels: Int
    private let kernel: FloatBuffer
    private let bias: FloatBuffer
    private let paddedInput: FloatBuffer?
    private let band: FloatBuffer?      // two raw conv rows when pooling
    private let tile = FloatBuffer(count: KernelShapes.gemmRows * KernelShapes.gemmColumns)
    private let shape: MicroKernelShape
    private let finishingShape: MicroKernelShape   // stores clamp(sum + bias) straight into the output
    private let isPointwise: Bool
    private let xOffsets: [Int]
    private let wOffsets: [Int]

    /// `clamp` is the activation (ReLU, ReLU6, none); others run as a separate step.
    public init(_ g: WindowGeometry, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?,
                clamp: ClampRange, maxPool2x2: Bool = false) {
        self.g = g
        self.clamp = clamp
        pools = maxPool2x2
        paddedChannels = paddedToVector(g.outC)
        let taps = g.kernelH * g.kernelW * g.c, panelWidth = KernelShapes.gemmColumns
        let panels = (paddedChannels + panelWidth - 1) / panelWidth
        kernel = FloatBuffer(count: panels * taps * panelWidth)
        for panel in 0..<panels {
            let first = panel * panelWidth, width = min(panelWidth, g.outC - first)
            for tap in 0..<taps {
                (kernel.pointer + (panel * taps + tap) * panelWidth).update(from: source + tap * g.outC + first, count: width)
            }
        }
        bias = FloatBuffer(count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.outC) }
        paddedInput = g.needsPadding ? FloatBuffer(count: g.paddedH * g.paddedW * g.c) : nil
        band = maxPool2x2 ? FloatBuffer(count: 2 * g.outW * g.outC) : nil
        // Without dilation a kernel row is one run of KW*C (input, weight) pairs.
        let (runs, runLength, runStride) = g.dilationW == 1 ? (1, g.kernelW * g.c, 0) : (g.kernelW, g.c, g.dilationW * g.c)
        let ldw = panelWidth
        shape = MicroKernelShape(rowStep: g.strideW * g.c, segments: g.kernelH * runs, length: runLength, ldw: ldw, panelFloats: taps * panelWidth)
        var finishing = shape
        finishing.tileStride = g.outC
        finishing.bias = UnsafePointer(bias.pointer)
        (finishing.low, finishing.high) = clamp.vectors
        finishingShape = finishing
        isPointwise = g.kernelH == 1 && g.kernelW == 1 && g.strideH == 1 && g.strideW == 1 && !g.needsPadding
        xOffsets = (0..<g.kernelH).flatMap { ky in (0..<runs).map { r in ky * g.dilationH * g.paddedW * g.c + r * runStride } }
        wOffsets = (0..<g.kernelH).flatMap { ky in (0..<runs).map { r in (ky * g.kernelW * g.c + r * runLength) * ldw } }
    }

    /// The output shape: the convolution's, halved when pooling.
    public var outputShape: [Int] { pools ? [g.outH / 2, g.outW / 2, g.outC] : [g.outH, g.outW, g.outC] }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, residual: UnsafePointer<Float>? = nil) {
        let source = g.padded(inp, into: paddedInput)
        guard let band else {
            if isPointwise {
                // A 1x1 convolution is one GEMM over all pixels, not a sweep per short row.
                sweep(pixels: g.outH * g.outW, x: source, into: out, raw: false, residual: residual)
            } else {
                for oy in 0..<g.outH {
                    let offset = oy * g.outW * g.outC
                    sweep(pixels: g.outW, x: source + oy * g.strideH * g.paddedW * g.c, into: out + offset, raw: false, residual: residual.map { $0 + offset })
                }
            }
            return
        }
        precondition(residual == nil, "a residual Add is fused only without pooling")
        let rowCount = g.outW * g.outC
        for py in 0..<(g.outH / 2) {
            sweep(pixels: g.outW, x: source + 2 * py * g.strideH * g.paddedW * g.c, into: band.pointer, raw: true)
            sweep(pixels: g.outW, x: source + (2 * py + 1) * g.strideH * g.paddedW * g.c, into: band.pointer + rowCount, raw: true)
            poolBand(into: out + py * (g.outW / 2) * g.outC)
        }
    }

    /// Pixels `pixels` of a 1x1 convolution only, for a caller that works in bands: `out`
    /// and `inp` point at pixel pixels.lowerBound; `residual`, the whole tensor, is read at the
    /// same pixels. The same floats as the whole image's: no output depends on the others in its tile.
    /// Never inlined: inlined into InvertedResidualBands.forward, its GEMM ran 3-9% slower.
    @inline(never)
    public func forwardPointwise(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, pixels: Range<Int>,
                                 residual: UnsafePointer<Float>? = nil) {
        precondition(isPlainPointwise, "only a 1x1 convolution without pooling runs by pixels")
        sweep(pixels: pixels.count, x: inp, into: out, raw: false, residual: residual.map { $0 + pixels.lowerBound * g.outC })
    }

    /// Whether this is a 1x1 convolution without stride, padding or pooling (one GEMM over the pixels).
    public var isPlainPointwise: Bool { isPointwise && band == nil }

    /// `pixels` consecutive output pixels whose first input is at x, into `rowOut` (OC per
    /// pixel): raw sums, or with bias and clamp. With whole vectors of output channels the
    /// micro-kernel finishes and stores them itself; otherwise through a tile and the epilogue.
    /// `residual` (laid out as rowOut) is added after the clamp.
    private func sweep(pixels: Int, x: UnsafePointer<Float>, into rowOut: UnsafeMutablePointer<Float>, raw: Bool,
                       residual: UnsafePointer<Float>? = nil) {
        let bounds = clamp.vectors
        let outC = g.outC
        let biases = UnsafePointer(bias.pointer)
        xOffsets.withUnsafeBufferPointer { xo in
            wOffsets.withUnsafeBufferPointer { wo in
                if !raw && outC % vectorWidth == 0 {
                    microKernelSweep(rows: pixels, paddedColumns: paddedChannels, x: x, w: kernel.pointer, shape: finishingShape,
                                     xOffsets: xo.baseAddress!, wOffsets: wo.baseAddress!, tile: rowOut, tileIsOutput: true)
                    // The residual in a pass over what was just stored, still in cache: the
                    // micro-kernel stays as it was (an extra parameter there cost the GEMMs).
                    if let residual { addInPlace(rowOut, residual, count: pixels * outC) }
                    return
                }
                guard let residual else {
                    microKernelSweep(rows: pixels, paddedColumns: paddedChannels, x: x,
                                     w: kernel.pointer, shape: shape, xOffsets: xo.baseAddress!, wOffsets: wo.baseAddress!,
                                     tile: tile.pointer) { firstPixel, pixels, firstChannel, channels, tile in
                        for p in 0..<pixels {
                            var channel = firstChannel
                            while channel < min(firstChannel + channels, outC) {
                                var v = Vector.load(tile + p * shape.tileStride + channel - firstChannel)
                                if !raw {
                                    v = Vector.clamp(v + Vector.load(biases + channel), bounds)
                                }
                                v.store(rowOut + (firstPixel + p) * outC + channel, count: min(vectorWidth, outC - channel))
                                channel += vectorWidth
                            }
                        }
                    }
                    return
                }
                // With a residual (never raw: no pooling), through its own epilogue.
                microKernelSweep(rows: pixels, paddedColumns: paddedChannels, x: x,
                                 w: kernel.pointer, shape: shape, xOffsets: xo.baseAddress!, wOffsets: wo.baseAddress!,
                                 tile: tile.pointer) { firstPixel, pixels, firstChannel, channels, tile in
                    for p in 0..<pixels {
                        var channel = firstChannel
                        while channel < min(firstChannel + channels, outC) {
                            let n = min(vectorWidth, outC - channel), at = (firstPixel + p) * outC + channel
                            let v = Vector.clamp(Vector.load(tile + p * shape.tileStride + channel - firstChannel) + Vector.load(biases + channel), bounds)
                            (v + Vector.load(residual + at, count: n)).store(rowOut + at, count: n)
                            channel += vectorWidth
                        }
                    }
                }
            }
        }
    }

    /// Max over each 2x2 window of the two raw rows in the band, then bias and activation.
    private func poolBand(into target: UnsafeMutablePointer<Float>) {
        let bounds = clamp.vectors
        guard let band else { return }
        let outC = g.outC
        let rowCount = g.outW * outC
        for px in 0..<(g.outW / 2) {
            var channel = 0
            while channel < outC {
                let n = min(vectorWidth, outC - channel)
                let a = band.pointer + 2 * px * outC + channel
                let top = Vector.maximum(Vector.load(a, count: n), Vector.load(a + outC, count: n))
                let bottom = Vector.maximum(Vector.load(a + rowCount, count: n), Vector.load(a + rowCount + outC, count: n))
                let v = Vector.clamp(Vector.maximum(top, bottom) + Vector.load(bias.pointer + channel), bounds)
                v.store(target + px * outC + channel, count: n)
                channel += vectorWidth
            }
        }
    }

}
