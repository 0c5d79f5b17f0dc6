/// Fully connected layer over a batch: out (N, U) = inp (N, F) x kernel (F, U) + bias.
///
/// The kernel is repacked once into column panels of 64 units (4 vectors), each
/// panel (F, 64) contiguous, zero-padded past U. Rows are taken 4 at a time with
/// a 4 x 4-vector register block; F is walked in chunks so a panel chunk stays in
/// cache while every row block of the batch uses it. Partial sums go through `out`,
/// which does not change the rounding: each output is the sum over k in order,
/// then + bias, independent of N and of the row's position in the batch.
public final class DenseKernel {
    let features: Int
    let units: Int
    let activation: Activation
    private let panelWidth = 4 * vectorWidth
    private let panels: Int
    private let packed: FloatBuffer
    private let bias: FloatBuffer
    private let tile: FloatBuffer   // 4 rows x 64 units of partial sums
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
                    block(panel: panel, row: row, rows: count, k0: k0, k1: k1, inp: inp,
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

    /// Accumulates k in [k0, k1) for up to 4 rows into the first `width` units of the panel.
    @inline(__always)
    private func block(panel: Int, row: Int, rows: Int, k0: Int, k1: Int, inp: UnsafePointer<Float>,
                       partial: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, first: Int, width: Int) {
        // Load the partial sums (zero at the first chunk) into a padded 4 x 64 tile.
        for r in 0..<4 {
            for j in 0..<panelWidth {
                partial[r * panelWidth + j] = (r < rows && j < width && k0 > 0) ? out[(row + r) * units + first + j] : 0
            }
        }
        var a0 = Vector.load(partial), a1 = Vector.load(partial + 16), a2 = Vector.load(partial + 32), a3 = Vector.load(partial + 48)
        var b0 = Vector.load(partial + 64), b1 = Vector.load(partial + 80), b2 = Vector.load(partial + 96), b3 = Vector.load(partial + 112)
        var c0 = Vector.load(partial + 128), c1 = Vector.load(partial + 144), c2 = Vector.load(partial + 160), c3 = Vector.load(partial + 176)
        var d0 = Vector.load(partial + 192), d1 = Vector.load(partial + 208), d2 = Vector.load(partial + 224), d3 = Vector.load(partial + 240)
        // Rows past the batch read row 0 again; their sums are discarded.
        let x0 = inp + row * features
        let x1 = inp + (row + (rows > 1 ? 1 : 0)) * features
        let x2 = inp + (row + (rows > 2 ? 2 : 0)) * features
        let x3 = inp + (row + (rows > 3 ? 3 : 0)) * features
        var w = UnsafePointer(packed.pointer) + (panel * features + k0) * panelWidth
        for k in k0..<k1 {
            let w0 = Vector.load(w), w1 = Vector.load(w + 16), w2 = Vector.load(w + 32), w3 = Vector.load(w + 48)
            var v = Vector(repeating: x0[k]); a0.accumulate(v, w0); a1.accumulate(v, w1); a2.accumulate(v, w2); a3.accumulate(v, w3)
            v = Vector(repeating: x1[k]); b0.accumulate(v, w0); b1.accumulate(v, w1); b2.accumulate(v, w2); b3.accumulate(v, w3)
            v = Vector(repeating: x2[k]); c0.accumulate(v, w0); c1.accumulate(v, w1); c2.accumulate(v, w2); c3.accumulate(v, w3)
            v = Vector(repeating: x3[k]); d0.accumulate(v, w0); d1.accumulate(v, w1); d2.accumulate(v, w2); d3.accumulate(v, w3)
            w += panelWidth
        }
        a0.store(partial); a1.store(partial + 16); a2.store(partial + 32); a3.store(partial + 48)
        b0.store(partial + 64); b1.store(partial + 80); b2.store(partial + 96); b3.store(partial + 112)
        c0.store(partial + 128); c1.store(partial + 144); c2.store(partial + 160); c3.store(partial + 176)
        d0.store(partial + 192); d1.store(partial + 208); d2.store(partial + 224); d3.store(partial + 240)
        for r in 0..<rows {
            (out + (row + r) * units + first).update(from: partial + r * panelWidth, count: width)
        }
    }
}
