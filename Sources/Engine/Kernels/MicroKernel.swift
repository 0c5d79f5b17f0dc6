/// The register-blocked inner product every convolution here reduces to: 8 rows (output
/// pixels or Winograd tiles) times 32 or 16 columns (output channels) held in registers
/// while the reduction broadcasts one input per row and issues one FMA per accumulator.
///
/// The reduction runs over `segments` stretches of `length` steps: step k of segment s
/// reads x[row * rowStep + xOffsets[s] + k] and the weight vector(s) at
/// w + wOffsets[s] + k * ldw. A direct convolution has one segment per kernel row; a GEMM
/// has one segment. Sums start at zero and go segment by segment, k by k, so a row's
/// result never depends on the other rows in the block. Raw sums go to `tile`, rows
/// `tileStride` floats apart: a scratch tile for an epilogue, or the destination itself.
struct MicroKernelShape {
    var rowStep: Int
    var segments: Int
    var length: Int
    var ldw: Int
    var tileStride = 2 * vectorWidth
}

@inline(__always)
func microKernel8x32(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ shape: MicroKernelShape,
                     _ xOffsets: UnsafePointer<Int>, _ wOffsets: UnsafePointer<Int>, _ tile: UnsafeMutablePointer<Float>) {
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
    a0.store(tile); b0.store(tile + 16); a1.store(tile + t); b1.store(tile + t + 16)
    a2.store(tile + 2 * t); b2.store(tile + 2 * t + 16); a3.store(tile + 3 * t); b3.store(tile + 3 * t + 16)
    a4.store(tile + 4 * t); b4.store(tile + 4 * t + 16); a5.store(tile + 5 * t); b5.store(tile + 5 * t + 16)
    a6.store(tile + 6 * t); b6.store(tile + 6 * t + 16); a7.store(tile + 7 * t); b7.store(tile + 7 * t + 16)
}

@inline(__always)
func microKernel8x16(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ shape: MicroKernelShape,
                     _ xOffsets: UnsafePointer<Int>, _ wOffsets: UnsafePointer<Int>, _ tile: UnsafeMutablePointer<Float>) {
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
    a0.store(tile); a1.store(tile + t); a2.store(tile + 2 * t); a3.store(tile + 3 * t)
    a4.store(tile + 4 * t); a5.store(tile + 5 * t); a6.store(tile + 6 * t); a7.store(tile + 7 * t)
}

/// One row, the remainder after the blocks of 8: the same order of operations.
@inline(__always)
func microKernel1(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ shape: MicroKernelShape, vectors: Int,
                  _ xOffsets: UnsafePointer<Int>, _ wOffsets: UnsafePointer<Int>, _ tile: UnsafeMutablePointer<Float>) {
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
    a.store(tile)
    if vectors == 2 { b.store(tile + 16) }
}

/// Runs the micro-kernels over `rows` rows and all `paddedColumns` columns, handing each
/// block's raw sums to `epilogue(firstRow, rowCount, firstColumn, columnCount, tile)`
/// (tile rows are shape.tileStride floats apart). With `tileIsOutput`, `tile` is the
/// destination (row r, column j at tile + r * tileStride + j) and there is no epilogue.
@inline(__always)
func microKernelSweep(rows: Int, paddedColumns: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>, shape: MicroKernelShape,
                      xOffsets: UnsafePointer<Int>, wOffsets: UnsafePointer<Int>, tile: UnsafeMutablePointer<Float>,
                      tileIsOutput: Bool = false, epilogue: (Int, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void = { _, _, _, _, _ in }) {
    var column = 0
    while column < paddedColumns {
        let vectors = paddedColumns - column >= 2 * vectorWidth ? 2 : 1
        var row = 0
        while row + 8 <= rows {
            let target = tileIsOutput ? tile + row * shape.tileStride + column : tile
            if vectors == 2 {
                microKernel8x32(x + row * shape.rowStep, w + column, shape, xOffsets, wOffsets, target)
            } else {
                microKernel8x16(x + row * shape.rowStep, w + column, shape, xOffsets, wOffsets, target)
            }
            if !tileIsOutput { epilogue(row, 8, column, vectors * vectorWidth, tile) }
            row += 8
        }
        while row < rows {
            let target = tileIsOutput ? tile + row * shape.tileStride + column : tile
            microKernel1(x + row * shape.rowStep, w + column, shape, vectors: vectors, xOffsets, wOffsets, target)
            if !tileIsOutput { epilogue(row, 1, column, vectors * vectorWidth, tile) }
            row += 1
        }
        column += vectors * vectorWidth
    }
}
