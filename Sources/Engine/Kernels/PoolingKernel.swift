/// Pooling for one image, vectorised over channels (a last partial vector when C is not a
/// whole number of vectors, so every width takes this path). out is (OH, OW, C), inp is
/// (H, W, C). Each output is the max, or the sum in (iy, ix) order divided by the count,
/// of the window's cells inside the image, as `poolReference`.
public func poolForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                 kind: PoolAttributes.Kind, _ g: WindowGeometry) {
    for oy in 0..<g.outH {
        let firstY = oy * g.strideH - g.padTop
        let rows = max(firstY, 0)..<min(firstY + g.kernelH, g.h)
        for ox in 0..<g.outW {
            let firstX = ox * g.strideW - g.padLeft
            let columns = max(firstX, 0)..<min(firstX + g.kernelW, g.w)
            let target = out + (oy * g.outW + ox) * g.c
            for channel in stride(from: 0, to: g.c, by: vectorWidth) {
                let n = min(vectorWidth, g.c - channel)
                var maximum = Vector(repeating: -.infinity), sum = Vector()
                for iy in rows {
                    for ix in columns {
                        let v = Vector.load(inp + (iy * g.w + ix) * g.c + channel, count: n)
                        maximum = Vector.maximum(maximum, v); sum += v
                    }
                }
                let result = kind == .max ? maximum : sum / Vector(repeating: Float(rows.count * columns.count))
                result.store(target + channel, count: n)
            }
        }
    }
}
