/// Fully connected layer over a batch: out (N, U) = inp (N, F) x kernel (F, U) + bias.
///
/// The kernel is repacked once into column panels of KernelShapes.denseVectors vectors
/// (64 units on AVX-512, 24 on AVX2), each panel (F, width) contiguous, zero-padded past U.
/// Rows are taken 4 at a time with a 4 x denseVectors register block; F is walked in chunks so a panel chunk stays in
/// cache while every row block of the batch uses it. Partial sums go through `out`,
/// which does not change the rounding: each output is the sum over k in order,
/// then + bias, independent of N and of the row's position in the batch.
public final class DenseKernel {
    let features: Int
    let units: Int
    let activation: Activation
    private let panelWidth = KernelShapes.denseVectors * vectorWidth
    private let panels: Int
    private let packed: FloatBuffer
    private let bias: FloatBuffer
    private let tile: FloatBuffer   // 4 rows x panelWidth units of partial sums
    private let chunk = 512

    public init(features: Int, units: Int, kernel: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?, activation: Activation) {
        self.features = features
        self.units = units
        self.activation = activation
        panels = (units + panelWidth - 1) / panelWidth
        packed = FloatBuffer(count: panels * features * panelWidth)
        for panel in 0..<panels {
            let first = panel * panelWidth
            let width = min(panelWidth, units - first)
            for k in 0..<features {
                (packed.pointer + (panel * features + k) * panelWidth).update(from: kernel + k * units + first, count: width)
            }
        }
        bias = FloatBuffer(count: panels * panelWidth)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: units) }
        tile = FloatBuffer(count: 4 * panelWidth)
    }

    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int) {
        for panel in 0..<panels {
            let first = panel * panelWidth
            let width = min(panelWidth, units - first)
            var k0 = 0
            while k0 < features {
                let k1 = min(k0 + chunk, features)
                var row = 0
                while row < rows {
                    let count = min(4, rows - row)
                    block(vectors: KernelShapes.denseVectors, panel: panel, row: row, rows: count, k0: k0, k1: k1, inp: inp,
                          partial: tile.pointer, out: out, first: first, width: width)
                    row += 4
                }
                k0 = k1
            }
            // Bias and activation once the sums are complete.
            for row in 0..<rows {
                let o = out + row * units + first
                for j in 0..<width {
                    var v = o[j] + bias.pointer[first + j]
                    if activation == .relu && v < 0 { v = 0 }
                    o[j] = v
                }
            }
        }
        if activation != .linear && activation != .relu {
            activationForward(out, count: rows * units, rowLength: units, activation)
        }
    }

    /// Accumulates k in [k0, k1) for up to 4 rows into the first `width` units of the panel:
    /// a 4 x V register block (V = KernelShapes.denseVectors, 3 or 4: a constant once inlined,
    /// so the fourth column of accumulators exists only where V is 4).
    @inline(__always)
    private func block(vectors V: Int, panel: Int, row: Int, rows: Int, k0: Int, k1: Int, inp: UnsafePointer<Float>,
                       partial: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, first: Int, width: Int) {
        // Load the partial sums (zero at the first chunk) into a padded 4 x panelWidth tile.
        for r in 0..<4 {
            for j in 0..<panelWidth {
                partial[r * panelWidth + j] = (r < rows && j < width && k0 > 0) ? out[(row + r) * units + first + j] : 0
            }
        }
        var a0 = Vector.load(partial + 0 * panelWidth + 0 * vectorWidth), a1 = Vector.load(partial + 0 * panelWidth + 1 * vectorWidth), a2 = Vector.load(partial + 0 * panelWidth + 2 * vectorWidth), a3 = V > 3 ? Vector.load(partial + 0 * panelWidth + 3 * vectorWidth) : Vector()
        var b0 = Vector.load(partial + 1 * panelWidth + 0 * vectorWidth), b1 = Vector.load(partial + 1 * panelWidth + 1 * vectorWidth), b2 = Vector.load(partial + 1 * panelWidth + 2 * vectorWidth), b3 = V > 3 ? Vector.load(partial + 1 * panelWidth + 3 * vectorWidth) : Vector()
        var c0 = Vector.load(partial + 2 * panelWidth + 0 * vectorWidth), c1 = Vector.load(partial + 2 * panelWidth + 1 * vectorWidth), c2 = Vector.load(partial + 2 * panelWidth + 2 * vectorWidth), c3 = V > 3 ? Vector.load(partial + 2 * panelWidth + 3 * vectorWidth) : Vector()
        var d0 = Vector.load(partial + 3 * panelWidth + 0 * vectorWidth), d1 = Vector.load(partial + 3 * panelWidth + 1 * vectorWidth), d2 = Vector.load(partial + 3 * panelWidth + 2 * vectorWidth), d3 = V > 3 ? Vector.load(partial + 3 * panelWidth + 3 * vectorWidth) : Vector()
        // Rows past the batch read row 0 again; their sums are discarded.
        let x0 = inp + row * features
        let x1 = inp + (row + (rows > 1 ? 1 : 0)) * features
        let x2 = inp + (row + (rows > 2 ? 2 : 0)) * features
        let x3 = inp + (row + (rows > 3 ? 3 : 0)) * features
        var w = UnsafePointer(packed.pointer) + (panel * features + k0) * panelWidth
        for k in k0..<k1 {
            let w0 = Vector.load(w), w1 = Vector.load(w + vectorWidth), w2 = Vector.load(w + 2 * vectorWidth)
            let w3 = V > 3 ? Vector.load(w + 3 * vectorWidth) : Vector()
            var v = Vector(repeating: x0[k]); a0.accumulate(v, w0); a1.accumulate(v, w1); a2.accumulate(v, w2); if V > 3 { a3.accumulate(v, w3) }
            v = Vector(repeating: x1[k]); b0.accumulate(v, w0); b1.accumulate(v, w1); b2.accumulate(v, w2); if V > 3 { b3.accumulate(v, w3) }
            v = Vector(repeating: x2[k]); c0.accumulate(v, w0); c1.accumulate(v, w1); c2.accumulate(v, w2); if V > 3 { c3.accumulate(v, w3) }
            v = Vector(repeating: x3[k]); d0.accumulate(v, w0); d1.accumulate(v, w1); d2.accumulate(v, w2); if V > 3 { d3.accumulate(v, w3) }
            w += panelWidth
        }
        a0.store(partial + 0 * panelWidth); a1.store(partial + 0 * panelWidth + vectorWidth); a2.store(partial + 0 * panelWidth + 2 * vectorWidth); if V > 3 { a3.store(partial + 0 * panelWidth + 3 * vectorWidth) }
        b0.store(partial + 1 * panelWidth); b1.store(partial + 1 * panelWidth + vectorWidth); b2.store(partial + 1 * panelWidth + 2 * vectorWidth); if V > 3 { b3.store(partial + 1 * panelWidth + 3 * vectorWidth) }
        c0.store(partial + 2 * panelWidth); c1.store(partial + 2 * panelWidth + vectorWidth); c2.store(partial + 2 * panelWidth + 2 * vectorWidth); if V > 3 { c3.store(partial + 2 * panelWidth + 3 * vectorWidth) }
        d0.store(partial + 3 * panelWidth); d1.store(partial + 3 * panelWidth + vectorWidth); d2.store(partial + 3 * panelWidth + 2 * vectorWidth); if V > 3 { d3.store(partial + 3 * panelWidth + 3 * vectorWidth) }
        for r in 0..<rows {
            (out + (row + r) * units + first).update(from: partial + r * panelWidth, count: width)
        }
    }
}
