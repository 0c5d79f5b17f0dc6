/// The register-blocked inner product every convolution here reduces to: 8 rows (output
/// pixels or Winograd tiles) times 32 or 16 columns (output channels) held in registers
/// while the reduction broadcasts one input per row and issues one FMA per accumulator.
///
/// The reduction runs over `segments` stretches of `length` steps: step k of segment s
/// reads x[row * rowStep + xOffsets[s] + k] and the weight vector(s) at
/// w + wOffsets[s] + k * ldw. A direct convolution has one segment per kernel row; a GEMM
/// has one segment. Sums start at zero and go segment by segment, k by k, so a row's
/// result never depends on the other rows in the block. Sums go to `tile`, rows
/// `tileStride` floats apart: a scratch tile for an epilogue, or the destination itself.
/// With `bias`, what is stored is clamp(sum + bias) (bias indexed by column), else the raw sum.
struct MicroKernelShape {
    var rowStep: Int
    var segments: Int
    var length: Int
    var ldw: Int
    var tileStride = 2 * vectorWidth
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

@inline(__always)
func microKernel8x32(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ shape: MicroKernelShape,
                     _ xOffsets: UnsafePointer<Int>, _ wOffsets: UnsafePointer<Int>, _ tile: UnsafeMutablePointer<Float>,
                     _ bias: UnsafePointer<Float>?) {
    var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
    var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector(), b4 = Vector(), b5 = Vector(), b6 = Vector(), b7 = Vector()
    let step = shape.rowStep
    for s in 0..<shape.segments {
        let p0 = x + xOffsets[s]
        var wk = w + wOffsets[s]
        for k in 0..<shape.length {
            let w0 = Vector.load(wk), w1 = Vector.load(wk + vectorWidth)
            let p = p0 + k
            var v = Vector(repeating: p[0]); a0.accumulate(v, w0); b0.accumulate(v, w1)
            v = Vector(repeating: p[step]); a1.accumulate(v, w0); b1.accumulate(v, w1)
            v = Vector(repeating: p[2 * step]); a2.accumulate(v, w0); b2.accumulate(v, w1)
            v = Vector(repeating: p[3 * step]); a3.accumulate(v, w0); b3.accumulate(v, w1)
            v = Vector(repeating: p[4 * step]); a4.accumulate(v, w0); b4.accumulate(v, w1)
            v = Vector(repeating: p[5 * step]); a5.accumulate(v, w0); b5.accumulate(v, w1)
            v = Vector(repeating: p[6 * step]); a6.accumulate(v, w0); b6.accumulate(v, w1)
            v = Vector(repeating: p[7 * step]); a7.accumulate(v, w0); b7.accumulate(v, w1)
            wk += shape.ldw
        }
    }
    let t = shape.tileStride
    let c = bias.map { $0 + vectorWidth }
    finished(a0, bias, shape).store(tile); finished(b0, c, shape).store(tile + 16)
    finished(a1, bias, shape).store(tile + t); finished(b1, c, shape).store(tile + t + 16)
    finished(a2, bias, shape).store(tile + 2 * t); finished(b2, c, shape).store(tile + 2 * t + 16)
    finished(a3, bias, shape).store(tile + 3 * t); finished(b3, c, shape).store(tile + 3 * t + 16)
    finished(a4, bias, shape).store(tile + 4 * t); finished(b4, c, shape).store(tile + 4 * t + 16)
    finished(a5, bias, shape).store(tile + 5 * t); finished(b5, c, shape).store(tile + 5 * t + 16)
    finished(a6, bias, shape).store(tile + 6 * t); finished(b6, c, shape).store(tile + 6 * t + 16)
    finished(a7, bias, shape).store(tile + 7 * t); finished(b7, c, shape).store(tile + 7 * t + 16)
}

@inline(__always)
func microKernel8x16(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ shape: MicroKernelShape,
                     _ xOffsets: UnsafePointer<Int>, _ wOffsets: UnsafePointer<Int>, _ tile: UnsafeMutablePointer<Float>,
                     _ bias: UnsafePointer<Float>?) {
    var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
    let step = shape.rowStep
    for s in 0..<shape.segments {
        let p0 = x + xOffsets[s]
        var wk = w + wOffsets[s]
        for k in 0..<shape.length {
            let w0 = Vector.load(wk)
            let p = p0 + k
            a0.accumulate(Vector(repeating: p[0]), w0)
            a1.accumulate(Vector(repeating: p[step]), w0)
            a2.accumulate(Vector(repeating: p[2 * step]), w0)
            a3.accumulate(Vector(repeating: p[3 * step]), w0)
            a4.accumulate(Vector(repeating: p[4 * step]), w0)
            a5.accumulate(Vector(repeating: p[5 * step]), w0)
            a6.accumulate(Vector(repeating: p[6 * step]), w0)
            a7.accumulate(Vector(repeating: p[7 * step]), w0)
            wk += shape.ldw
        }
    }
    let t = shape.tileStride
    finished(a0, bias, shape).store(tile); finished(a1, bias, shape).store(tile + t)
    finished(a2, bias, shape).store(tile + 2 * t); finished(a3, bias, shape).store(tile + 3 * t)
    finished(a4, bias, shape).store(tile + 4 * t); finished(a5, bias, shape).store(tile + 5 * t)
    finished(a6, bias, shape).store(tile + 6 * t); finished(a7, bias, shape).store(tile + 7 * t)
}

/// One row, the remainder after the blocks of 8: the same order of operations.
@inline(__always)
func microKernel1(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ shape: MicroKernelShape, vectors: Int,
                  _ xOffsets: UnsafePointer<Int>, _ wOffsets: UnsafePointer<Int>, _ tile: UnsafeMutablePointer<Float>,
                  _ bias: UnsafePointer<Float>?) {
    var a = Vector(), b = Vector()
    for s in 0..<shape.segments {
        let p = x + xOffsets[s]
        var wk = w + wOffsets[s]
        for k in 0..<shape.length {
            let v = Vector(repeating: p[k])
            a.accumulate(v, Vector.load(wk))
            if vectors == 2 { b.accumulate(v, Vector.load(wk + vectorWidth)) }
            wk += shape.ldw
        }
    }
    finished(a, bias, shape).store(tile)
    if vectors == 2 { finished(b, bias.map { $0 + vectorWidth }, shape).store(tile + 16) }
}

/// Runs the micro-kernels over `rows` rows and all `paddedColumns` columns, handing each
/// block's raw sums to `epilogue(firstRow, rowCount, firstColumn, columnCount, tile)`
/// (tile rows are shape.tileStride floats apart). With `tileIsOutput`, `tile` is the
/// destination (row r, column j at tile + r * tileStride + j) and there is no epilogue;
/// the columns must then fill whole vectors (or the destination have room past them).
@inline(__always)
func microKernelSweep(rows: Int, paddedColumns: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>, shape: MicroKernelShape,
                      xOffsets: UnsafePointer<Int>, wOffsets: UnsafePointer<Int>, tile: UnsafeMutablePointer<Float>,
                      tileIsOutput: Bool = false, epilogue: (Int, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void = { _, _, _, _, _ in }) {
    var column = 0
    while column < paddedColumns {
        let vectors = paddedColumns - column >= 2 * vectorWidth ? 2 : 1
        let bias = shape.bias.map { $0 + column }
        var row = 0
        while row + 8 <= rows {
            let target = tileIsOutput ? tile + row * shape.tileStride + column : tile
            if vectors == 2 {
                microKernel8x32(x + row * shape.rowStep, w + column, shape, xOffsets, wOffsets, target, bias)
            } else {
                microKernel8x16(x + row * shape.rowStep, w + column, shape, xOffsets, wOffsets, target, bias)
            }
            if !tileIsOutput { epilogue(row, 8, column, vectors * vectorWidth, tile) }
            row += 8
        }
        while row < rows {
            let target = tileIsOutput ? tile + row * shape.tileStride + column : tile
            microKernel1(x + row * shape.rowStep, w + column, shape, vectors: vectors, xOffsets, wOffsets, target, bias)
            if !tileIsOutput { epilogue(row, 1, column, vectors * vectorWidth, tile) }
            row += 1
        }
        column += vectors * vectorWidth
    }
}
