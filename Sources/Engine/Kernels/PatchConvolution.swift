/// Convolution for layers with few input channels (the first layer of an image model:
/// 1 grey or 3 RGB channels), NHWC, optionally fused with the 2x2 max pooling after it.
///
/// out is (OH, OW, OC), or (OH/2, OW/2, OC) when pooling; inp is (H, W, C). With C = 1 a
/// direct kernel would reduce over KH runs of only KW values. Instead, for each output row
/// the KH input rows it reads are interleaved column by column, (x, ky, c), so a pixel's
/// whole receptive field is one contiguous run of KW*KH*C floats; the kernel is repacked to
/// the same (kx, ky, c) order. The micro-kernel then reduces over one long run. With stride
/// and dilation 1 along y, the KH interleaved rows are a ring: each output row brings in
/// only its one new input row, and the kernel copy whose ky order matches the ring is used
/// (KH rotated copies; the sum order is then (kx, slot, c), a fixed order per row). The row is
/// padded to whole GEMM tiles of pixels (zeros beyond the image), so there is no one-pixel
/// remainder path; when pooling, each block's neighbouring pixels are maxed right away.
/// Every output is the sum over (kx, ky, c) in that order, then + bias, then the clamp.
public final class PatchConvolution {
    let g: WindowGeometry
    let clamp: ClampRange
    let pools: Bool
    private let paddedChannels: Int
    private let patchLength: Int         // KW * KH * C
    private let slots: Int               // output pixels per row, rounded up to whole GEMM tiles
    private let kernels: [FloatBuffer]   // (KW, KH, C, OCp), one per ring rotation
    private let ring: Bool
    private var slotRow: [Int]           // the input row each interleaved slot holds
    private let bias: FloatBuffer
    private let paddedInput: FloatBuffer?
    private let rows: FloatBuffer        // the interleaved input rows: (columns, KH, C)
    private let band: FloatBuffer        // raw sums: one row, or two half rows of pair maxima when pooling
    private let shape: MicroKernelShape
    private let zeroOffset = [0]

    /// Layers this kernel is for: few input channels, no horizontal dilation.
    public static func supports(_ g: WindowGeometry) -> Bool {
        g.c < 8 && g.dilationW == 1 && g.kernelH * g.kernelW * g.c <= 64 && g.kernelH * g.kernelW > 1
    }

    public init(_ g: WindowGeometry, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?,
                clamp: ClampRange, maxPool2x2: Bool = false) {
        precondition(PatchConvolution.supports(g))
        self.g = g
        self.clamp = clamp
        pools = maxPool2x2
        paddedChannels = paddedToVector(g.outC)
        patchLength = g.kernelW * g.kernelH * g.c
        slots = (g.outW + KernelShapes.gemmRows - 1) / KernelShapes.gemmRows * KernelShapes.gemmRows
        ring = g.strideH == 1 && g.dilationH == 1
        // Rotation v puts kernel row ky in slot (ky + v) % KH, matching the ring for output rows oy ≡ v.
        kernels = (0..<(ring ? g.kernelH : 1)).map { v in
            let kernel = FloatBuffer(count: g.kernelW * g.kernelH * g.c * paddedToVector(g.outC))
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    for c in 0..<g.c {
                        let from = ((ky * g.kernelW + kx) * g.c + c) * g.outC
                        let to = ((kx * g.kernelH + (ky + v) % g.kernelH) * g.c + c) * paddedToVector(g.outC)
                        (kernel.pointer + to).update(from: source + from, count: g.outC)
                    }
                }
            }
            return kernel
        }
        slotRow = [Int](repeating: -1, count: g.kernelH)
        bias = FloatBuffer(count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.outC) }
        paddedInput = g.needsPadding ? FloatBuffer(count: g.paddedH * g.paddedW * g.c) : nil
        let columns = max(g.paddedW, (slots - 1) * g.strideW + g.kernelW)
        rows = FloatBuffer(count: columns * g.kernelH * g.c)
        band = FloatBuffer(count: (maxPool2x2 ? 1 : 2) * slots * paddedChannels)
        shape = MicroKernelShape(rowStep: g.strideW * g.kernelH * g.c, segments: 1, length: patchLength,
                                 ldw: paddedChannels, tileStride: paddedChannels)
    }

    public var outputShape: [Int] { pools ? [g.outH / 2, g.outW / 2, g.outC] : [g.outH, g.outW, g.outC] }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        let source = prepare(inp)
        if !pools { return forwardRows(out: out, source: source, rows: 0..<g.outH) }
        let bounds = clamp.vectors
        let ocp = paddedChannels, outC = g.outC
        // Pooling: each conv row's neighbouring pixels are maxed as they come (half rows),
        // then the two half rows of a pooled row, then bias and clamp.
        let half = slots / 2 * ocp
        let top = band.pointer, bottom = band.pointer + half
        let pooledW = g.outW / 2
        for py in 0..<(g.outH / 2) {
            sums(2 * py, source, into: scratch.pointer)
            pairMaxima(scratch.pointer, into: top)
            sums(2 * py + 1, source, into: scratch.pointer)
            pairMaxima(scratch.pointer, into: bottom)
            let target = out + py * pooledW * outC
            for px in 0..<pooledW {
                var channel = 0
                while channel < outC {
                    let v = Vector.maximum(Vector.load(top + px * ocp + channel), Vector.load(bottom + px * ocp + channel))
                    Vector.clamp(v + Vector.load(bias.pointer + channel), bounds).store(target + px * outC + channel, count: min(vectorWidth, outC - channel))
                    channel += vectorWidth
                }
            }
        }
    }

    private lazy var scratch = FloatBuffer(count: slots * paddedChannels)

    /// A new image: the input as the rows read it (padded when the layer pads), and an empty ring.
    public func prepare(_ inp: UnsafePointer<Float>) -> UnsafePointer<Float> {
        for slot in slotRow.indices { slotRow[slot] = -1 }
        return g.padded(inp, into: paddedInput)
    }

    /// Output rows `rows` (no pooling) of the image `prepare` returned, into `out` from row
    /// rows.lowerBound on: for a caller that works in bands, in increasing row order. Never
    /// inlined, as DirectConvolution.forwardPointwise (the bands' GEMMs ran slower inlined).
    @inline(never)
    public func forwardRows(out: UnsafeMutablePointer<Float>, source: UnsafePointer<Float>, rows: Range<Int>) {
        precondition(!pools, "pooled rows come in pairs")
        let bounds = clamp.vectors
        let ocp = paddedChannels, outC = g.outC
        for oy in rows {
            sums(oy, source, into: band.pointer)
            let target = out + (oy - rows.lowerBound) * g.outW * outC
            for ox in 0..<g.outW {
                var channel = 0
                while channel < outC {
                    let v = Vector.clamp(Vector.load(band.pointer + ox * ocp + channel) + Vector.load(bias.pointer + channel), bounds)
                    v.store(target + ox * outC + channel, count: min(vectorWidth, outC - channel))
                    channel += vectorWidth
                }
            }
        }
    }

    /// Raw sums of output row oy for all `slots` pixels: (slots, OCp).
    private func sums(_ oy: Int, _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        interleave(oy, source)
        let kernel = kernels[ring ? oy % g.kernelH : 0]
        zeroOffset.withUnsafeBufferPointer { zero in
            microKernelSweep(rows: slots, paddedColumns: paddedChannels, x: rows.pointer, w: kernel.pointer, shape: shape,
                             xOffsets: zero.baseAddress!, wOffsets: zero.baseAddress!, tile: target, tileIsOutput: true, rowsFillTiles: true)
        }
    }

    /// target[p] = max(sums[2p], sums[2p + 1]) for every pair of pixels.
    private func pairMaxima(_ sums: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        let ocp = paddedChannels
        for p in 0..<(slots / 2) {
            var channel = 0
            while channel < ocp {
                Vector.maximum(Vector.load(sums + 2 * p * ocp + channel), Vector.load(sums + (2 * p + 1) * ocp + channel))
                    .store(target + p * ocp + channel)
                channel += vectorWidth
            }
        }
    }

    /// The KH input rows output row oy reads, interleaved as (x, slot, c): in the ring, input
    /// row r lives in slot r % KH and is copied in only once; otherwise slot ky holds row ky.
    private func interleave(_ oy: Int, _ source: UnsafePointer<Float>) {
        let c = g.c, kh = g.kernelH, width = g.paddedW
        let target = rows.pointer
        for ky in 0..<kh {
            let r = oy * g.strideH + ky * g.dilationH
            let slot = ring ? r % kh : ky
            if slotRow[slot] == r { continue }
            slotRow[slot] = r
            let row = source + r * width * c
            let column = target + slot * c
            if c == 1 {
                for x in 0..<width { column[x * kh] = row[x] }
            } else if c == 3 {   // RGB: unrolled, the general loop's inner trip of 3 cost more than the copy
                let pitch = kh * 3
                for x in 0..<width {
                    let from = row + x * 3, to = column + x * pitch
                    to[0] = from[0]; to[1] = from[1]; to[2] = from[2]
                }
            } else {
                for x in 0..<width { for ch in 0..<c { column[x * kh * c + ch] = row[x * c + ch] } }
            }
        }
    }
}
