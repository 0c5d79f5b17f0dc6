/// Pooling for one image, vectorised over channels when C is a multiple of 16.
/// out is (OH, OW, C), inp is (H, W, C). Other channel counts use `poolReference`.
public func poolForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                 kind: PoolAttributes.Kind, _ g: WindowGeometry) {
    guard g.c % vectorWidth == 0 else {
        poolReference(out: out, inp: inp, kind: kind, g)
        return
    }
    for oy in 0..<g.outH {
        let firstY = oy * g.strideH - g.padTop
        let rows = max(firstY, 0)..<min(firstY + g.kernelH, g.h)
        for ox in 0..<g.outW {
            let firstX = ox * g.strideW - g.padLeft
            let columns = max(firstX, 0)..<min(firstX + g.kernelW, g.w)
            let target = out + (oy * g.outW + ox) * g.c
            for channel in stride(from: 0, to: g.c, by: vectorWidth) {
                var maximum = Vector(repeating: -.infinity), sum = Vector()
                for iy in rows {
                    for ix in columns {
                        let v = Vector.load(inp + (iy * g.w + ix) * g.c + channel)
                        maximum = Vector.maximum(maximum, v); sum += v
                    }
                }
                let result = kind == .max ? maximum : sum / Vector(repeating: Float(rows.count * columns.count))
                result.store(target + channel)
            }
        }
    }
}
