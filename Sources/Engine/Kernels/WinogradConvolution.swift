/// Winograd convolution for one image: 3x3 kernels, stride 1, no dilation, NHWC,
/// optionally fused with the 2x2 max pooling that follows. F(2x2, 3x3) or F(4x4, 3x3).
///
/// out is (OH, OW, OC), or (OH/2, OW/2, OC) when pooling; inp is (H, W, C).
/// Each m x m block of outputs (m = 2 or 4) comes from an (m+2) x (m+2) input tile d:
/// V = Bᵀ d B per channel, M = V ⊙ U summed over channels (U = G g Gᵀ, the kernel
/// transformed once, in double), Y = Aᵀ M A. The sum over channels is (m+2)² small GEMMs,
/// one per tile position, run by the shared micro-kernel: per output 4 multiplies (m = 2)
/// or 2.25 (m = 4) instead of 9. Output blocks start at even coordinates, so the 2x2
/// pooling windows lie inside them: a pooled output is the max of its window (then bias
/// and clamp, as in DirectConvolution). Neighbouring tiles overlap by two columns, so Bᵀ d
/// is computed once per input column and shared.
/// Numerically F(2x2) only adds and halves; F(4x4) multiplies by up to 8 and by 1/6, 1/24
/// in U, so its results are a few times further from the direct sum (both tested against
/// the reference, and end to end against Keras). Results are the same for any batch or rank.
///
///   F(2x2): Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
///           Aᵀ = [1 1 1 0; 0 1 -1 -1]
///   F(4x4): Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
///           G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
///           Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
public final class WinogradConvolution {
    let g: WindowGeometry
    let clamp: ClampRange
    let pools: Bool
    /// Outputs per tile side (2 or 4) and input tile side (m + 2).
    let m: Int
    private let n: Int
    private let channelPitch: Int       // C rounded up to whole vectors: V's row length
    private let paddedChannels: Int     // OC rounded up to whole vectors
    private let tilesPerRow: Int
    private let tileRows: Int
    private let rowsPerGemm: Int        // tile rows whose tiles one GEMM per position takes together
    private let tileSlots: Int          // rowsPerGemm x tilesPerRow rounded up to whole GEMM tiles
    private let vStride: Int            // floats from one position of V to the next
    private let mStride: Int            // and of M
    private let transformedKernel: FloatBuffer   // U: (n², Cp, OCp)
    private let bias: FloatBuffer
    private let paddedInput: FloatBuffer?        // zero border for `same` padding or a ragged last tile
    private let inputTiles: FloatBuffer          // V: (n², tileSlots, Cp)
    private let products: FloatBuffer            // M: (n², tileSlots, OCp)
    private let columnTransforms: FloatBuffer    // Bᵀ d for each input column of a tile row: (m*T+2, n, Cp)
    private let shape: MicroKernelShape
    private let zeroOffset = [0]
    private let scratch = FloatBuffer(count: (24 + 16) * vectorWidth)   // Aᵀ M (up to 4x6) and Y (up to 4x4) of one tile
    private let sourceWidth: Int

    /// Whether a layer can run here: 3x3, stride 1, no dilation.
    public static func supports(_ g: WindowGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1
    }

    public init(_ g: WindowGeometry, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?,
                clamp: ClampRange, maxPool2x2: Bool = false, outputTile: Int = 2) {
        precondition(WinogradConvolution.supports(g) && (outputTile == 2 || outputTile == 4))
        self.g = g
        self.clamp = clamp
        pools = maxPool2x2
        m = outputTile
        n = outputTile + 2
        channelPitch = paddedToVector(g.c)
        paddedChannels = paddedToVector(g.outC)
        // The outputs to compute: all of them, or the ones the pooling windows cover.
        let neededOutH = maxPool2x2 ? g.outH / 2 * 2 : g.outH, neededOutW = maxPool2x2 ? g.outW / 2 * 2 : g.outW
        tilesPerRow = (neededOutW + m - 1) / m
        tileRows = (neededOutH + m - 1) / m
        // Tiles read m * tiles + 2 rows and columns; copy into a zero border when the input is short of that.
        let neededH = m * tileRows + 2, neededW = m * tilesPerRow + 2
        if g.padTop > 0 || g.padLeft > 0 || neededH > g.h || neededW > g.w {
            paddedInput = FloatBuffer(count: max(neededH, g.paddedH) * max(neededW, g.paddedW) * g.c)
            sourceWidth = max(neededW, g.paddedW)
        } else {
            paddedInput = nil
            sourceWidth = g.w
        }
        transformedKernel = WinogradConvolution.transform(kernel: source, c: g.c, oc: g.outC, m: outputTile,
                                                          channelPitch: channelPitch, paddedChannels: paddedChannels)
        bias = FloatBuffer(count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.outC) }
        // Rows of V and M are padded to whole GEMM tiles (KernelShapes.gemmRows; zeros in, ignored
        // out), so the GEMMs never run shorter tiles (rowsFillTiles: the code for those slowed
        // these GEMMs). The positions are one cache line further apart than they need be: a
        // stride that is a multiple of 4 KiB would put them all in the same L1 set.
        rowsPerGemm = WinogradConvolution.rowsPerGemm(tilesPerRow: tilesPerRow, tileRows: tileRows)
        tileSlots = WinogradConvolution.slots(rowsPerGemm * tilesPerRow)
        vStride = tileSlots * channelPitch + cacheLineFloats
        mStride = tileSlots * paddedChannels + cacheLineFloats
        inputTiles = FloatBuffer(count: n * n * vStride)
        products = FloatBuffer(count: n * n * mStride)
        shape = MicroKernelShape(rowStep: channelPitch, segments: 1, length: channelPitch, ldw: paddedChannels, tileStride: paddedChannels)
        columnTransforms = FloatBuffer(count: (m * tilesPerRow + 2) * n * channelPitch)
    }

    /// Tiles rounded up to whole GEMM tiles.
    static func slots(_ tiles: Int) -> Int {
        (tiles + KernelShapes.gemmRows - 1) / KernelShapes.gemmRows * KernelShapes.gemmRows
    }

    /// How many tile rows go through one GEMM together: 1, or 2 where that pads clearly
    /// fewer slots. On AVX2's 6-row tiles, 32 tiles a row pad to 36 alone and 64 to 66
    /// (12.5% of the multiplies wasted against 3%), 15 to 18 and 30 to 30: catsordogs's
    /// Winograd layers ran 3% and 7% faster in pairs on Zen 4 (three rows were no faster,
    /// and V and M grow with the rows, towards a Zen 3's 512 KB L2). Each tile's sums are
    /// its own, so this changes no result.
    static func rowsPerGemm(tilesPerRow: Int, tileRows: Int) -> Int {
        func waste(_ rows: Int) -> Double { Double(slots(rows * tilesPerRow)) / Double(rows * tilesPerRow) - 1 }
        return tileRows >= 2 && waste(2) < waste(1) - 0.02 ? 2 : 1
    }

    /// U = G g Gᵀ for every (c, oc), computed in double, laid out (n², Cp, OCp) with zero padding.
    static func transform(kernel: UnsafePointer<Float>, c: Int, oc: Int, m: Int, channelPitch: Int, paddedChannels: Int) -> FloatBuffer {
        let sixth: Double = 1.0 / 6, twelfth: Double = 1.0 / 12, twentyFourth: Double = 1.0 / 24
        let g2: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        let g4: [[Double]] = [[0.25, 0, 0], [-sixth, -sixth, -sixth], [-sixth, sixth, -sixth],
                              [twentyFourth, twelfth, sixth], [twentyFourth, -twelfth, sixth], [0, 0, 1]]
        let G = m == 2 ? g2 : g4
        let n = m + 2
        let u = FloatBuffer(count: n * n * channelPitch * paddedChannels)
        for ci in 0..<c {
            for o in 0..<oc {
                let w = (0..<3).map { ky in (0..<3).map { kx in Double(kernel[((ky * 3 + kx) * c + ci) * oc + o]) } }
                for i in 0..<n {
                    for j in 0..<n {
                        var sum = 0.0
                        for ky in 0..<3 { for kx in 0..<3 { sum += G[i][ky] * w[ky][kx] * G[j][kx] } }
                        u.pointer[((i * n + j) * channelPitch + ci) * paddedChannels + o] = Float(sum)
                    }
                }
            }
        }
        return u
    }

    public var outputShape: [Int] { pools ? [g.outH / 2, g.outW / 2, g.outC] : [g.outH, g.outW, g.outC] }

    /// Tile rows per GEMM (rowsPerGemm), for the tests.
    public var tileRowsPerGemm: Int { rowsPerGemm }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        let source = g.padded(inp, into: paddedInput, width: sourceWidth)
        for first in stride(from: 0, to: tileRows, by: rowsPerGemm) {
            let rows = min(rowsPerGemm, tileRows - first)
            for r in 0..<rows { transformInputs(tileRow: first + r, firstSlot: r * tilesPerRow, source) }
            multiply()   // all slots, also for a last group with fewer rows (the rest is ignored)
            for r in 0..<rows { transformOutputs(tileRow: first + r, firstSlot: r * tilesPerRow, out) }
        }
    }

    // MARK: The one-dimensional transforms, on one vector of channels at a time (lane-wise: no lane reads another).

    /// Bᵀ x for x of length 4 (F(2x2)).
    @inline(__always)
    static func input4(_ d0: Vector, _ d1: Vector, _ d2: Vector, _ d3: Vector) -> (Vector, Vector, Vector, Vector) {
        (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// Bᵀ x for x of length 6 (F(4x4)).
    @inline(__always)
    static func input6(_ d0: Vector, _ d1: Vector, _ d2: Vector, _ d3: Vector, _ d4: Vector, _ d5: Vector)
        -> (Vector, Vector, Vector, Vector, Vector, Vector) {
        let four = Vector(repeating: 4), five = Vector(repeating: 5), two = Vector(repeating: 2)
        let a = d4 - four * d2, b = d3 - four * d1      // for rows 1 and 2
        let c = d4 - d2, e = two * (d3 - d1)            // for rows 3 and 4
        return (four * d0 - five * d2 + d4, a + b, a - b, c + e, c - e, four * d1 - five * d3 + d5)
    }

    /// Aᵀ x for x of length 4 (F(2x2)).
    @inline(__always)
    static func output4(_ m0: Vector, _ m1: Vector, _ m2: Vector, _ m3: Vector) -> (Vector, Vector) {
        (m0 + m1 + m2, m1 - m2 - m3)
    }

    /// Aᵀ x for x of length 6 (F(4x4)).
    @inline(__always)
    static func output6(_ m0: Vector, _ m1: Vector, _ m2: Vector, _ m3: Vector, _ m4: Vector, _ m5: Vector)
        -> (Vector, Vector, Vector, Vector) {
        let sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4
        let two = Vector(repeating: 2), four = Vector(repeating: 4), eight = Vector(repeating: 8)
        return (m0 + sum12 + sum34, diff12 + two * diff34, sum12 + four * sum34, diff12 + eight * diff34 + m5)
    }

    // MARK: The steps of one tile row.

    /// V for every tile of tile row ty, vectorised over channels, in V's rows from firstSlot on.
    private func transformInputs(tileRow ty: Int, firstSlot: Int, _ source: UnsafePointer<Float>) {
        let c = g.c, pitch = channelPitch, tiles = tilesPerRow
        let rowFloats = sourceWidth * c
        let columns = columnTransforms.pointer
        // Bᵀ d for each input column the tile row covers.
        for x in 0..<(m * tiles + 2) {
            var chunk = 0
            while chunk < pitch {
                let count = min(vectorWidth, c - chunk)
                let d = source + (m * ty * sourceWidth + x) * c + chunk
                @inline(__always) func row(_ i: Int) -> Vector { Vector.load(d + i * rowFloats, count: count) }
                let target = columns + x * n * pitch + chunk
                if m == 2 {
                    let t = Self.input4(row(0), row(1), row(2), row(3))
                    t.0.store(target); t.1.store(target + pitch); t.2.store(target + 2 * pitch); t.3.store(target + 3 * pitch)
                } else {
                    let t = Self.input6(row(0), row(1), row(2), row(3), row(4), row(5))
                    t.0.store(target); t.1.store(target + pitch); t.2.store(target + 2 * pitch)
                    t.3.store(target + 3 * pitch); t.4.store(target + 4 * pitch); t.5.store(target + 5 * pitch)
                }
                chunk += vectorWidth
            }
        }
        // (Bᵀ d) B: each tile combines its n columns, row by row.
        let v = inputTiles.pointer + firstSlot * pitch
        for t in 0..<tiles {
            var chunk = 0
            while chunk < pitch {
                let first = UnsafePointer(columns) + m * t * n * pitch + chunk
                let target = v + t * pitch + chunk
                for i in 0..<n {
                    @inline(__always) func column(_ j: Int) -> Vector { Vector.load(first + (j * n + i) * pitch) }
                    @inline(__always) func put(_ j: Int, _ value: Vector) { value.store(target + (i * n + j) * vStride) }
                    if m == 2 {
                        let r = Self.input4(column(0), column(1), column(2), column(3))
                        put(0, r.0); put(1, r.1); put(2, r.2); put(3, r.3)
                    } else {
                        let r = Self.input6(column(0), column(1), column(2), column(3), column(4), column(5))
                        put(0, r.0); put(1, r.1); put(2, r.2); put(3, r.3); put(4, r.4); put(5, r.5)
                    }
                }
                chunk += vectorWidth
            }
        }
    }

    /// M[position] = V[position] x U[position] for the n² tile positions (padding rows included).
    private func multiply() {
        let slots = tileSlots, ocp = paddedChannels
        zeroOffset.withUnsafeBufferPointer { zero in
            for position in 0..<(n * n) {
                let x = UnsafePointer(inputTiles.pointer) + position * vStride
                let w = UnsafePointer(transformedKernel.pointer) + position * channelPitch * ocp
                let m = products.pointer + position * mStride
                microKernelSweep(rows: slots, paddedColumns: ocp, x: x, w: w, shape: shape, xOffsets: zero.baseAddress!,
                                 wOffsets: zero.baseAddress!, tile: m, tileIsOutput: true, rowsFillTiles: true)
            }
        }
    }

    /// Y = Aᵀ M A per tile and vector of output channels, then bias and clamp, pooled or stored.
    private func transformOutputs(tileRow ty: Int, firstSlot: Int, _ out: UnsafeMutablePointer<Float>) {
        let bounds = clamp.vectors
        let tiles = tilesPerRow, ocp = paddedChannels, outC = g.outC
        let s = scratch.pointer, y = scratch.pointer + 24 * vectorWidth   // vectors, row-major
        @inline(__always) func put(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ v: Vector) { v.store(p + i * vectorWidth) }
        @inline(__always) func get(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> Vector { Vector.load(p + i * vectorWidth) }
        for t in 0..<tiles {
            var channel = 0
            while channel < outC {
                let base = UnsafePointer(products.pointer) + (firstSlot + t) * ocp + channel
                @inline(__always) func at(_ i: Int, _ j: Int) -> Vector { Vector.load(base + (i * n + j) * mStride) }
                if m == 2 {
                    // Aᵀ M: rows; then (Aᵀ M) A: columns.
                    let c0 = Self.output4(at(0, 0), at(1, 0), at(2, 0), at(3, 0)), c1 = Self.output4(at(0, 1), at(1, 1), at(2, 1), at(3, 1))
                    let c2 = Self.output4(at(0, 2), at(1, 2), at(2, 2), at(3, 2)), c3 = Self.output4(at(0, 3), at(1, 3), at(2, 3), at(3, 3))
                    let r0 = Self.output4(c0.0, c1.0, c2.0, c3.0), r1 = Self.output4(c0.1, c1.1, c2.1, c3.1)
                    put(y, 0, r0.0); put(y, 1, r0.1); put(y, 2, r1.0); put(y, 3, r1.1)
                } else {
                    // Aᵀ M: 4 rows x 6 columns, then (Aᵀ M) A.
                    for j in 0..<6 {
                        let r = Self.output6(at(0, j), at(1, j), at(2, j), at(3, j), at(4, j), at(5, j))
                        put(s, j, r.0); put(s, 6 + j, r.1); put(s, 12 + j, r.2); put(s, 18 + j, r.3)
                    }
                    for i in 0..<4 {
                        let r = Self.output6(get(s, 6 * i), get(s, 6 * i + 1), get(s, 6 * i + 2), get(s, 6 * i + 3), get(s, 6 * i + 4), get(s, 6 * i + 5))
                        put(y, 4 * i, r.0); put(y, 4 * i + 1, r.1); put(y, 4 * i + 2, r.2); put(y, 4 * i + 3, r.3)
                    }
                }
                let b = Vector.load(bias.pointer + channel)
                let count = min(vectorWidth, outC - channel)
                if pools {
                    // Each 2x2 window of the tile is one pooled output.
                    let pooledW = g.outW / 2
                    for wy in 0..<(m / 2) {
                        for wx in 0..<(m / 2) {
                            let py = ty * m / 2 + wy, px = t * m / 2 + wx
                            guard py < g.outH / 2 && px < pooledW else { continue }
                            let top = Vector.maximum(get(y, 2 * wy * m + 2 * wx), get(y, 2 * wy * m + 2 * wx + 1))
                            let bottom = Vector.maximum(get(y, (2 * wy + 1) * m + 2 * wx), get(y, (2 * wy + 1) * m + 2 * wx + 1))
                            Vector.clamp(Vector.maximum(top, bottom) + b, bounds).store(out + (py * pooledW + px) * outC + channel, count: count)
                        }
                    }
                } else {
                    for i in 0..<m {
                        for j in 0..<m {
                            let oy = m * ty + i, ox = m * t + j
                            guard oy < g.outH && ox < g.outW else { continue }
                            Vector.clamp(get(y, i * m + j) + b, bounds).store(out + (oy * g.outW + ox) * outC + channel, count: count)
                        }
                    }
                }
                channel += vectorWidth
            }
        }
    }

}
