/// Winograd F(2x2, 3x3) convolution for one image: 3x3 kernels, stride 1, no dilation,
/// NHWC, optionally fused with the 2x2 max pooling that follows.
///
/// out is (OH, OW, OC), or (OH/2, OW/2, OC) when pooling; inp is (H, W, C).
/// Each 2x2 block of outputs comes from a 4x4 input tile d: V = Bᵀ d B (per channel),
/// M = V ⊙ U summed over channels (U = G g Gᵀ, the kernel transformed once, in double), and
/// Y = Aᵀ M A. The sum over channels is 16 small GEMMs, one per tile position, run by the
/// shared micro-kernel: 16 multiplies per 4 outputs instead of 36 (2.25x fewer FLOPs).
/// The 2x2 output blocks are exactly the 2x2 pooling windows, so a pooled output is the
/// max of one tile's four values (then bias and ReLU, as in DirectConvolution).
/// Numerically the transforms only add and halve; results agree with the direct sum to a
/// few float ulps of the partial sums (tested), and are the same for any batch or rank.
///
///   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
///   G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
///   Aᵀ = [1 1 1 0; 0 1 -1 -1]
public final class WinogradConvolution {
    let g: WindowGeometry
    let clamp: ClampRange
    let pools: Bool
    private let channelPitch: Int       // C rounded up to 16: V's row length
    private let paddedChannels: Int     // OC rounded up to 16
    private let tilesPerRow: Int
    private let tileSlots: Int          // tilesPerRow rounded up to 8
    private let vStride: Int            // floats from one position of V to the next
    private let mStride: Int            // and of M
    private let tileRows: Int
    private let transformedKernel: FloatBuffer   // U: (16, Cp, OCp)
    private let bias: FloatBuffer
    private let paddedInput: FloatBuffer?        // zero border for `same` padding or a ragged last tile
    private let inputTiles: FloatBuffer          // V: (16, tilesPerRow, Cp)
    private let products: FloatBuffer            // M: (16, tilesPerRow, OCp)
    private let columnTransforms: FloatBuffer     // Bᵀ d for each input column of a tile row: (2T+2, 4, Cp)
    private let shape: MicroKernelShape
    private let zeroOffset = [0]
    private let sourceWidth: Int

    /// Whether a layer can run here: 3x3, stride 1, no dilation.
    public static func supports(_ g: WindowGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1
    }

    public init(_ g: WindowGeometry, kernel source: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?,
                clamp: ClampRange, maxPool2x2: Bool = false) {
        precondition(WinogradConvolution.supports(g))
        self.g = g
        self.clamp = clamp
        pools = maxPool2x2
        channelPitch = paddedToVector(g.c)
        paddedChannels = paddedToVector(g.outC)
        tilesPerRow = maxPool2x2 ? g.outW / 2 : (g.outW + 1) / 2
        tileRows = maxPool2x2 ? g.outH / 2 : (g.outH + 1) / 2
        // Tiles read 2 * tiles + 2 rows and columns; copy into a zero border when the input is short of that.
        let neededH = 2 * tileRows + 2, neededW = 2 * tilesPerRow + 2
        if g.padTop > 0 || g.padLeft > 0 || neededH > g.h || neededW > g.w {
            paddedInput = FloatBuffer(count: max(neededH, g.paddedH) * max(neededW, g.paddedW) * g.c)
            sourceWidth = max(neededW, g.paddedW)
        } else {
            paddedInput = nil
            sourceWidth = g.w
        }
        transformedKernel = WinogradConvolution.transform(kernel: source, c: g.c, oc: g.outC, channelPitch: channelPitch, paddedChannels: paddedChannels)
        bias = FloatBuffer(count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: g.outC) }
        // Rows of V and M are padded to whole blocks of 8 tiles (zeros in, ignored out), so
        // the GEMMs never fall back to the one-row kernel.
        // The 16 positions are one cache line further apart than they need be: a stride
        // that is a multiple of 4 KiB would put them all in the same L1 set.
        tileSlots = (tilesPerRow + 7) / 8 * 8
        vStride = tileSlots * channelPitch + vectorWidth
        mStride = tileSlots * paddedChannels + vectorWidth
        inputTiles = FloatBuffer(count: 16 * vStride)
        products = FloatBuffer(count: 16 * mStride)
        shape = MicroKernelShape(rowStep: channelPitch, segments: 1, length: channelPitch, ldw: paddedChannels, tileStride: paddedChannels)
        columnTransforms = FloatBuffer(count: (2 * tilesPerRow + 2) * 4 * channelPitch)
    }

    /// U = G g Gᵀ for every (c, oc), computed in double, laid out (16, Cp, OCp) with zero padding.
    static func transform(kernel: UnsafePointer<Float>, c: Int, oc: Int, channelPitch: Int, paddedChannels: Int) -> FloatBuffer {
        let u = FloatBuffer(count: 16 * channelPitch * paddedChannels)
        let G: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        for ci in 0..<c {
            for o in 0..<oc {
                let w = (0..<3).map { ky in (0..<3).map { kx in Double(kernel[((ky * 3 + kx) * c + ci) * oc + o]) } }
                for i in 0..<4 {
                    for j in 0..<4 {
                        var sum = 0.0
                        for ky in 0..<3 { for kx in 0..<3 { sum += G[i][ky] * w[ky][kx] * G[j][kx] } }
                        u.pointer[((i * 4 + j) * channelPitch + ci) * paddedChannels + o] = Float(sum)
                    }
                }
            }
        }
        return u
    }

    public var outputShape: [Int] { pools ? [g.outH / 2, g.outW / 2, g.outC] : [g.outH, g.outW, g.outC] }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        let source = padIfNeeded(inp)
        for ty in 0..<tileRows {
            transformInputs(tileRow: ty, source)
            multiply()
            transformOutputs(tileRow: ty, out)
        }
    }

    /// V for every tile of tile row ty: Bᵀ d B, vectorised over 16 channels at a time.
    /// Neighbouring tiles overlap by two columns, so Bᵀ d is computed once per input column
    /// (rows 0-2, 1+2, 2-1, 1-3), then each tile combines its four columns the same way.
    private func transformInputs(tileRow ty: Int, _ source: UnsafePointer<Float>) {
        let c = g.c, pitch = channelPitch, tiles = tilesPerRow
        let rowFloats = sourceWidth * c
        let columns = columnTransforms.pointer
        for x in 0..<(2 * tiles + 2) {
            var chunk = 0
            while chunk < pitch {
                let n = min(vectorWidth, c - chunk)
                let d = source + (2 * ty * sourceWidth + x) * c + chunk
                let d0 = Vector.load(d, count: n), d1 = Vector.load(d + rowFloats, count: n)
                let d2 = Vector.load(d + 2 * rowFloats, count: n), d3 = Vector.load(d + 3 * rowFloats, count: n)
                let target = columns + x * 4 * pitch + chunk
                (d0 - d2).store(target)
                (d1 + d2).store(target + pitch)
                (d2 - d1).store(target + 2 * pitch)
                (d1 - d3).store(target + 3 * pitch)
                chunk += vectorWidth
            }
        }
        let v = inputTiles.pointer
        let positionStride = vStride
        for t in 0..<tiles {
            var chunk = 0
            while chunk < pitch {
                let column = UnsafePointer(columns) + 2 * t * 4 * pitch + chunk
                let target = v + t * pitch + chunk
                for i in 0..<4 {
                    // Row i of Bᵀ d across the tile's four columns, then (Bᵀ d) B.
                    let t0 = Vector.load(column + i * pitch), t1 = Vector.load(column + (4 + i) * pitch)
                    let t2 = Vector.load(column + (8 + i) * pitch), t3 = Vector.load(column + (12 + i) * pitch)
                    (t0 - t2).store(target + (4 * i) * positionStride)
                    (t1 + t2).store(target + (4 * i + 1) * positionStride)
                    (t2 - t1).store(target + (4 * i + 2) * positionStride)
                    (t1 - t3).store(target + (4 * i + 3) * positionStride)
                }
                chunk += vectorWidth
            }
        }
    }

    /// M[position] = V[position] x U[position] for the 16 tile positions (padding rows included).
    private func multiply() {
        let slots = tileSlots, ocp = paddedChannels
        zeroOffset.withUnsafeBufferPointer { zero in
            for position in 0..<16 {
                let x = UnsafePointer(inputTiles.pointer) + position * vStride
                let w = UnsafePointer(transformedKernel.pointer) + position * channelPitch * ocp
                let m = products.pointer + position * mStride
                microKernelSweep(rows: slots, paddedColumns: ocp, x: x, w: w, shape: shape, xOffsets: zero.baseAddress!,
                                 wOffsets: zero.baseAddress!, tile: m, tileIsOutput: true)
            }
        }
    }

    /// Y = Aᵀ M A per tile and 16 output channels, then bias, activation, and pooling or stores.
    private func transformOutputs(tileRow ty: Int, _ out: UnsafeMutablePointer<Float>) {
        let bounds = clamp.vectors
        let tiles = tilesPerRow, ocp = paddedChannels, outC = g.outC
        let positionStride = mStride
        for t in 0..<tiles {
            var channel = 0
            while channel < outC {
                let m = UnsafePointer(products.pointer) + t * ocp + channel
                @inline(__always) func at(_ position: Int) -> Vector { Vector.load(m + position * positionStride) }
                // Aᵀ M: rows 0+1+2 and 1-2-3.
                let s00 = at(0) + at(4) + at(8), s01 = at(1) + at(5) + at(9), s02 = at(2) + at(6) + at(10), s03 = at(3) + at(7) + at(11)
                let s10 = at(4) - at(8) - at(12), s11 = at(5) - at(9) - at(13), s12 = at(6) - at(10) - at(14), s13 = at(7) - at(11) - at(15)
                // (Aᵀ M) A: columns 0+1+2 and 1-2-3.
                let y00 = s00 + s01 + s02, y01 = s01 - s02 - s03
                let y10 = s10 + s11 + s12, y11 = s11 - s12 - s13
                let b = Vector.load(bias.pointer + channel)
                let n = min(vectorWidth, outC - channel)
                if pools {
                    let v = (Vector.maximum(Vector.maximum(y00, y01), Vector.maximum(y10, y11)) + b).clamped(bounds)
                    v.store(out + (ty * tiles + t) * outC + channel, count: n)
                } else {
                    for (i, j, y) in [(0, 0, y00), (0, 1, y01), (1, 0, y10), (1, 1, y11)] {
                        let oy = 2 * ty + i, ox = 2 * t + j
                        guard oy < g.outH && ox < g.outW else { continue }
                        let v = (y + b).clamped(bounds)
                        v.store(out + (oy * g.outW + ox) * outC + channel, count: n)
                    }
                }
                channel += vectorWidth
            }
        }
    }

    /// Copies the image into a zero border: `same` padding, or room for a ragged last tile.
    private func padIfNeeded(_ inp: UnsafePointer<Float>) -> UnsafePointer<Float> {
        guard let paddedInput else { return inp }
        for y in 0..<g.h {
            (paddedInput.pointer + ((y + g.padTop) * sourceWidth + g.padLeft) * g.c).update(from: inp + y * g.w * g.c, count: g.w * g.c)
        }
        return UnsafePointer(paddedInput.pointer)
    }
}
