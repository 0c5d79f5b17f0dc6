/// Depthwise convolution for one image, NHWC: each input channel has its own KH x KW
/// filter (depth multiplier M: M filters, output channel c*M + m, as Keras).
///
/// out is (OH, OW, C*M), inp is (H, W, C), kernel is (KH, KW, C, M). With M = 1 the work
/// is vectorised over channels (one vector at a time): for each channel vector the KH*KW weight vectors stay
/// in registers while the kernel walks an output row (one FMA per tap and pixel; a 3x3
/// filter four pixels at a time, away from the padding). Other
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
    /// Output pixels the 3x3 kernel computes together inside the image.
    private let blockPixels = 4

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
        // Only the reference path (M > 1) reads a padded copy; M = 1 skips the padding taps.
        paddedInput = g.needsPadding && multiplier != 1 ? FloatBuffer(count: g.paddedH * g.paddedW * g.c) : nil
    }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        guard multiplier == 1 else {
            let source = g.padded(inp, into: paddedInput)
            depthwiseReference(out: out, inp: source, kernel: kernel.pointer, kernelPitch: channelPitch, multiplier: multiplier, g, padded: true)
            for i in 0..<(g.outH * g.outW * g.outC) { out[i] = clamp.apply(out[i] + bias.pointer[i % g.outC]) }
            return
        }
        forward(out: out, inp: inp, rows: 0..<g.outH, inputFirstRow: 0)
    }

    /// Output rows `rows` only (multiplier 1), for a caller that holds a band of the input:
    /// `out` is output row rows.lowerBound, `inp` is input row `inputFirstRow`, and the band
    /// must hold every input row those outputs read. The same floats as the whole image's.
    public func forward(out: UnsafeMutablePointer<Float>, inp bandStart: UnsafePointer<Float>, rows: Range<Int>, inputFirstRow: Int) {
        precondition(multiplier == 1, "only multiplier 1 runs by rows")
        // Reads the image itself (no padded copy): taps that fall in the padding are skipped,
        // which adds the same as the zeros would. Row by row, channel vector by channel vector,
        // so the few input rows a row reads stay in cache. Addresses are taken as if the band
        // started at row 0 (bounds checks use true rows).
        let c = g.c
        for oy in rows {
            let iy0 = oy * g.strideH - g.padTop
            let tapRows = (first: (0..<g.kernelH).first { iy0 + $0 * g.dilationH >= 0 } ?? g.kernelH,
                           last: (0..<g.kernelH).last { iy0 + $0 * g.dilationH < g.h } ?? -1)
            var channel = 0
            while channel < c {
                let n = min(vectorWidth, c - channel)
                let input = bandStart + (iy0 * g.w * c + channel - inputFirstRow * g.w * c)
                let output = out + ((oy - rows.lowerBound) * g.outW * c + channel)
                if g.kernelH == 3 && g.kernelW == 3 && n == vectorWidth {
                    threeByThreeRow(out: output, inp: input, channel: channel, tapRows: tapRows)
                } else {
                    anyWindowRow(out: output, inp: input, channel: channel, count: n, tapRows: tapRows)
                }
                channel += vectorWidth
            }
        }
    }

    /// One output row of one channel vector of a 3x3 filter: its nine weight vectors stay in
    /// registers along the row. `inp` is the window's first input row at column 0 (maybe
    /// outside the image), `out` the row's first pixel; `tapRows` are the filter rows inside.
    @inline(__always)
    private func threeByThreeRow(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, channel: Int, tapRows: (first: Int, last: Int)) {
        let c = g.c, bounds = clamp.vectors, b = Vector.load(bias.pointer + channel)
        @inline(__always) func weight(_ t: Int) -> Vector { Vector.load(kernel.pointer + t * channelPitch + channel) }
        let (w0, w1, w2, w3, w4) = (weight(0), weight(1), weight(2), weight(3), weight(4))
        let (w5, w6, w7, w8) = (weight(5), weight(6), weight(7), weight(8))
        let step = g.dilationW * c, rowStep = g.dilationH * g.w * c, pixelStep = g.strideW * c
        let allRows = tapRows == (0, 2)
        let unitStep = g.strideW == 1 && g.dilationW == 1
        var ox = 0
        while ox < g.outW {
            let ix0 = ox * g.strideW - g.padLeft
            let r0 = inp + ix0 * c, r1 = r0 + rowStep, r2 = r1 + rowStep
            let target = out + ox * c
            // Four pixels at a time away from the padding, four independent FMA chains per
            // weight: one chain of nine dependent FMAs per pixel left the FMA units idle.
            if allRows && ox + blockPixels <= g.outW && ix0 >= 0 && ix0 + (blockPixels - 1) * g.strideW + 2 * g.dilationW < g.w {
                var (a0, a1, a2, a3) = (Vector(), Vector(), Vector(), Vector())
                @inline(__always) func tap(_ p: UnsafePointer<Float>, _ w: Vector) {
                    a0.accumulate(Vector.load(p), w); a1.accumulate(Vector.load(p + pixelStep), w)
                    a2.accumulate(Vector.load(p + 2 * pixelStep), w); a3.accumulate(Vector.load(p + 3 * pixelStep), w)
                }
                // Stride and dilation 1: neighbouring pixels share inputs, six loads per row
                // feed twelve FMAs (each accumulator still takes its taps in order).
                @inline(__always) func row(_ r: UnsafePointer<Float>, _ wa: Vector, _ wb: Vector, _ wc: Vector) {
                    let (x0, x1, x2) = (Vector.load(r), Vector.load(r + c), Vector.load(r + 2 * c))
                    let (x3, x4, x5) = (Vector.load(r + 3 * c), Vector.load(r + 4 * c), Vector.load(r + 5 * c))
                    a0.accumulate(x0, wa); a1.accumulate(x1, wa); a2.accumulate(x2, wa); a3.accumulate(x3, wa)
                    a0.accumulate(x1, wb); a1.accumulate(x2, wb); a2.accumulate(x3, wb); a3.accumulate(x4, wb)
                    a0.accumulate(x2, wc); a1.accumulate(x3, wc); a2.accumulate(x4, wc); a3.accumulate(x5, wc)
                }
                if unitStep {
                    row(r0, w0, w1, w2); row(r1, w3, w4, w5); row(r2, w6, w7, w8)
                } else {
                    tap(r0, w0); tap(r0 + step, w1); tap(r0 + 2 * step, w2)
                    tap(r1, w3); tap(r1 + step, w4); tap(r1 + 2 * step, w5)
                    tap(r2, w6); tap(r2 + step, w7); tap(r2 + 2 * step, w8)
                }
                Vector.clamp(a0 + b, bounds).store(target); Vector.clamp(a1 + b, bounds).store(target + c)
                Vector.clamp(a2 + b, bounds).store(target + 2 * c); Vector.clamp(a3 + b, bounds).store(target + 3 * c)
                ox += blockPixels
                continue
            }
            // One pixel (the row's last few, and those at the padding): taps outside the image
            // are skipped by branches that predict well (a generic loop cost several times
            // more per tap; on 7x7 and 14x14 images over a quarter of the pixels are here).
            var acc = Vector()
            @inline(__always) func inImage(_ kx: Int) -> Bool { ix0 + kx * g.dilationW >= 0 && ix0 + kx * g.dilationW < g.w }
            let (left, middle, right) = (inImage(0), inImage(1), inImage(2))
            @inline(__always) func taps(_ ky: Int, _ r: UnsafePointer<Float>, _ wa: Vector, _ wb: Vector, _ wc: Vector) {
                guard ky >= tapRows.first && ky <= tapRows.last else { return }
                if left { acc.accumulate(Vector.load(r), wa) }
                if middle { acc.accumulate(Vector.load(r + step), wb) }
                if right { acc.accumulate(Vector.load(r + 2 * step), wc) }
            }
            taps(0, r0, w0, w1, w2); taps(1, r1, w3, w4, w5); taps(2, r2, w6, w7, w8)
            Vector.clamp(acc + b, bounds).store(target)
            ox += 1
        }
    }

    /// One output row of `count` channels (a whole vector or the last few) of any filter
    /// size, tap by tap in (ky, kx) order, skipping those outside the image. Arguments as
    /// `threeByThreeRow`'s.
    private func anyWindowRow(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, channel: Int, count n: Int, tapRows: (first: Int, last: Int)) {
        let c = g.c, bounds = clamp.vectors, b = Vector.load(bias.pointer + channel)
        for ox in 0..<g.outW {
            let ix0 = ox * g.strideW - g.padLeft
            var acc = Vector()
            for ky in stride(from: tapRows.first, through: tapRows.last, by: 1) {
                let row = inp + ky * g.dilationH * g.w * c
                for kx in 0..<g.kernelW {
                    let ix = ix0 + kx * g.dilationW
                    guard ix >= 0 && ix < g.w else { continue }
                    acc.accumulate(Vector.load(row + ix * c, count: n), Vector.load(kernel.pointer + (ky * g.kernelW + kx) * channelPitch + channel))
                }
            }
            Vector.clamp(acc + b, bounds).store(out + ox * c, count: n)
        }
    }
}
