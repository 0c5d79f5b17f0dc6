/// The register-blocked inner product every convolution here reduces to: a tile of rows
/// (output pixels or Winograd tiles) times one or two vectors of columns (output channels)
/// held in registers while the reduction broadcasts one input per row and issues one FMA
/// per accumulator. The tile's shape is the build's (KernelShapes: 8 x 2 vectors on
/// AVX-512, 6 x 2 on AVX2), and shorter tiles take the rows left over.
///
/// The reduction runs over `segments` stretches of `length` steps: step k of segment s
/// reads x[row * rowStep + xOffsets[s] + k] and the weight vector(s) at
/// w + wOffsets[s] + k * ldw. A direct convolution has one segment per kernel row; a GEMM
/// has one segment. Sums start at zero and go segment by segment, k by k, so a row's
/// result never depends on the other rows in the tile, nor a lane's on the vector width.
/// Sums go to `tile`, rows `tileStride` floats apart: a scratch tile for an epilogue, or
/// the destination itself. With `bias`, what is stored is clamp(sum + bias) (bias indexed
/// by column), else the raw sum.
///
/// Weights are either one matrix, row k at w + k * ldw (`panelFloats` 0), or packed in
/// panels of gemmVectors vectors of columns, each panel's rows contiguous (ldw = the panel
/// width) and panels `panelFloats` apart: each tile then reads its weights as one stream.
struct MicroKernelShape {
    var rowStep: Int
    var segments: Int
    var length: Int
    var ldw: Int
    var panelFloats = 0
    var tileStride = KernelShapes.gemmColumns
    var bias: UnsafePointer<Float>? = nil
    var low = Vector(repeating: -.infinity)
    var high = Vector(repeating: .infinity)
}

/// A sum as stored: raw, or + bias and clamped.
@_transparent
func finished(_ sum: Vector, _ bias: UnsafePointer<Float>?, _ shape: MicroKernelShape) -> Vector {
    guard let bias else { return sum }
    return Vector.clamp(sum + Vector.load(bias), shape.low, shape.high)
}

/// One tile of `rows` rows (1...8) and `vectors` column vectors (1 or 2). Transparent, so
/// it is always inlined with constant `rows` and `vectors` (@inline(__always) was not
/// honoured at every call: the call kept the guards and ran 2.5x slower): the guards fold
/// away and only the accumulators of that shape exist, one body for every tile shape.
@_transparent
func microKernel(rows: Int, vectors: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ shape: MicroKernelShape,
                 _ xOffsets: UnsafePointer<Int>, _ wOffsets: UnsafePointer<Int>, _ tile: UnsafeMutablePointer<Float>,
                 _ bias: UnsafePointer<Float>?) {
    var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
    var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector(), b4 = Vector(), b5 = Vector(), b6 = Vector(), b7 = Vector()
    let step = shape.rowStep
    let wide = vectors == 2
    for s in 0..<shape.segments {
        let p0 = x + xOffsets[s]
        var wk = w + wOffsets[s]
        for k in 0..<shape.length {
            let w0 = Vector.load(wk), w1 = wide ? Vector.load(wk + vectorWidth) : Vector()
            let p = p0 + k
            do { let v = Vector(repeating: p[0]); a0.accumulate(v, w0); if wide { b0.accumulate(v, w1) } }
            if rows > 1 { let v = Vector(repeating: p[step]); a1.accumulate(v, w0); if wide { b1.accumulate(v, w1) } }
            if rows > 2 { let v = Vector(repeating: p[2 * step]); a2.accumulate(v, w0); if wide { b2.accumulate(v, w1) } }
            if rows > 3 { let v = Vector(repeating: p[3 * step]); a3.accumulate(v, w0); if wide { b3.accumulate(v, w1) } }
            if rows > 4 { let v = Vector(repeating: p[4 * step]); a4.accumulate(v, w0); if wide { b4.accumulate(v, w1) } }
            if rows > 5 { let v = Vector(repeating: p[5 * step]); a5.accumulate(v, w0); if wide { b5.accumulate(v, w1) } }
            if rows > 6 { let v = Vector(repeating: p[6 * step]); a6.accumulate(v, w0); if wide { b6.accumulate(v, w1) } }
            if rows > 7 { let v = Vector(repeating: p[7 * step]); a7.accumulate(v, w0); if wide { b7.accumulate(v, w1) } }
            wk += shape.ldw
        }
    }
    let t = shape.tileStride
    let second = bias.map { $0 + vectorWidth }
    do { finished(a0, bias, shape).store(tile); if wide { finished(b0, second, shape).store(tile + vectorWidth) } }
    if rows > 1 { finished(a1, bias, shape).store(tile + t); if wide { finished(b1, second, shape).store(tile + t + vectorWidth) } }
    if rows > 2 { finished(a2, bias, shape).store(tile + 2 * t); if wide { finished(b2, second, shape).store(tile + 2 * t + vectorWidth) } }
    if rows > 3 { finished(a3, bias, shape).store(tile + 3 * t); if wide { finished(b3, second, shape).store(tile + 3 * t + vectorWidth) } }
    if rows > 4 { finished(a4, bias, shape).store(tile + 4 * t); if wide { finished(b4, second, shape).store(tile + 4 * t + vectorWidth) } }
    if rows > 5 { finished(a5, bias, shape).store(tile + 5 * t); if wide { finished(b5, second, shape).store(tile + 5 * t + vectorWidth) } }
    if rows > 6 { finished(a6, bias, shape).store(tile + 6 * t); if wide { finished(b6, second, shape).store(tile + 6 * t + vectorWidth) } }
    if rows > 7 { finished(a7, bias, shape).store(tile + 7 * t); if wide { finished(b7, second, shape).store(tile + 7 * t + vectorWidth) } }
}

/// Runs the micro-kernels over `rows` rows and all `paddedColumns` columns, handing each
/// tile's raw sums to `epilogue(firstRow, rowCount, firstColumn, columnCount, tile)`
/// (tile rows are shape.tileStride floats apart). With `tileIsOutput`, `tile` is the
/// destination (row r, column j at tile + r * tileStride + j) and there is no epilogue;
/// the columns must then fill whole vectors (or the destination have room past them).
/// `rowsFillTiles`: the caller padded its rows to whole tiles (no code for shorter ones).
@inline(__always)
func microKernelSweep(rows: Int, paddedColumns: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>, shape: MicroKernelShape,
                      xOffsets: UnsafePointer<Int>, wOffsets: UnsafePointer<Int>, tile: UnsafeMutablePointer<Float>,
                      tileIsOutput: Bool = false, rowsFillTiles: Bool = false, epilogue: (Int, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void = { _, _, _, _, _ in }) {
    let tileRows = KernelShapes.gemmRows
    var column = 0
    while column < paddedColumns {
        let vectors = paddedColumns - column >= 2 * vectorWidth ? 2 : 1
        let bias = shape.bias.map { $0 + column }
        let weights = shape.panelFloats == 0 ? w + column : w + column / KernelShapes.gemmColumns * shape.panelFloats
        var row = 0
        while row + tileRows <= rows {
            let target = tileIsOutput ? tile + row * shape.tileStride + column : tile
            if vectors == 2 {
                microKernel(rows: tileRows, vectors: 2, x + row * shape.rowStep, weights, shape, xOffsets, wOffsets, target, bias)
            } else {
                microKernel(rows: tileRows, vectors: 1, x + row * shape.rowStep, weights, shape, xOffsets, wOffsets, target, bias)
            }
            if !tileIsOutput { epilogue(row, tileRows, column, vectors * vectorWidth, tile) }
            row += tileRows
        }
        // The rows left over (fewer than a tile): a half-height tile, then two rows, then one,
        // so there are still several FMA chains per weight vector (single rows only are bound
        // by the FMA latency; a band's GEMMs often end in a few rows).
        @inline(__always) func partialTile(_ height: Int) {
            let target = tileIsOutput ? tile + row * shape.tileStride + column : tile
            if vectors == 2 {
                microKernel(rows: height, vectors: 2, x + row * shape.rowStep, weights, shape, xOffsets, wOffsets, target, bias)
            } else {
                microKernel(rows: height, vectors: 1, x + row * shape.rowStep, weights, shape, xOffsets, wOffsets, target, bias)
            }
            if !tileIsOutput { epilogue(row, height, column, vectors * vectorWidth, tile) }
            row += height
        }
        // A caller whose rows fill whole tiles says so: the code for the rest is then left out
        // (with it, Winograd's GEMMs ran 7-18% slower on AVX-512 though it never ran).
        if rowsFillTiles {
            precondition(row == rows, "rows must fill whole tiles")
        } else {
            if rows - row >= tileRows / 2 { partialTile(tileRows / 2) }
            if rows - row >= 2 { partialTile(2) }
            if rows - row >= 1 { partialTile(1) }
        }
        column += vectors * vectorWidth
    }
}
