import Foundation

// Reference kernels: plain loops over one image, NHWC, written for clarity. They
// are the yardstick the fast kernels are tested against and the fallback for shapes
// the fast ones do not take.
// Legend: H, W, C input; OH, OW, OC output; KH, KW window; F flat features; U units.

/// Convolution. out is (OH, OW, OC), inp is (H, W, C), kernel is (KH, KW, C, OC), bias (OC) or nil.
/// Each output is the sum over (ky, kx, c) in that order, then + bias, as TF's conv + bias_add.
public func conv2DReference(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                            kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            _ g: WindowGeometry) {
    for oy in 0..<g.outH {
        for ox in 0..<g.outW {
            for oc in 0..<g.outC {
                var sum: Float = 0
                for ky in 0..<g.kernelH {
                    let iy = oy * g.strideH + ky * g.dilationH - g.padTop
                    if iy < 0 || iy >= g.h { continue }
                    for kx in 0..<g.kernelW {
                        let ix = ox * g.strideW + kx * g.dilationW - g.padLeft
                        if ix < 0 || ix >= g.w { continue }
                        for c in 0..<g.c {
                            sum += inp[(iy * g.w + ix) * g.c + c] * kernel[((ky * g.kernelW + kx) * g.c + c) * g.outC + oc]
                        }
                    }
                }
                out[(oy * g.outW + ox) * g.outC + oc] = sum + (bias?[oc] ?? 0)
            }
        }
    }
}

/// Depthwise convolution without bias. out is (OH, OW, C*M), inp is (H, W, C) — or, with
/// `padded`, the zero-padded (paddedH, paddedW, C) — kernel is (KH, KW, C*M) with rows
/// `kernelPitch` floats apart. Output channel c*M + m is input channel c with filter m.
public func depthwiseReference(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
                               kernelPitch: Int, multiplier: Int, _ g: WindowGeometry, padded: Bool = false) {
    let (height, width, top, left) = padded ? (g.paddedH, g.paddedW, 0, 0) : (g.h, g.w, g.padTop, g.padLeft)
    for oy in 0..<g.outH {
        for ox in 0..<g.outW {
            for c in 0..<g.c {
                for m in 0..<multiplier {
                    var sum: Float = 0
                    for ky in 0..<g.kernelH {
                        let iy = oy * g.strideH + ky * g.dilationH - top
                        if iy < 0 || iy >= height { continue }
                        for kx in 0..<g.kernelW {
                            let ix = ox * g.strideW + kx * g.dilationW - left
                            if ix < 0 || ix >= width { continue }
                            sum += inp[(iy * width + ix) * g.c + c] * kernel[(ky * g.kernelW + kx) * kernelPitch + c * multiplier + m]
                        }
                    }
                    out[(oy * g.outW + ox) * g.outC + c * multiplier + m] = sum
                }
            }
        }
    }
}

/// Pooling. out is (OH, OW, C), inp is (H, W, C). Padding cells are ignored: they
/// never win a max and do not count in an average (Keras `same` pooling).
public func poolReference(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                          kind: PoolAttributes.Kind, _ g: WindowGeometry) {
    for oy in 0..<g.outH {
        for ox in 0..<g.outW {
            for c in 0..<g.c {
                var maximum = -Float.infinity, sum: Float = 0, count = 0
                for ky in 0..<g.kernelH {
                    let iy = oy * g.strideH + ky - g.padTop
                    if iy < 0 || iy >= g.h { continue }
                    for kx in 0..<g.kernelW {
                        let ix = ox * g.strideW + kx - g.padLeft
                        if ix < 0 || ix >= g.w { continue }
                        let v = inp[(iy * g.w + ix) * g.c + c]
                        maximum = max(maximum, v); sum += v; count += 1
                    }
                }
                out[(oy * g.outW + ox) * g.c + c] = kind == .max ? maximum : sum / Float(count)
            }
        }
    }
}

/// Fully connected layer over a batch. out is (N, U), inp is (N, F), kernel is (F, U), bias (U) or nil.
public func denseReference(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                           kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           n: Int, f: Int, u: Int) {
    for row in 0..<n {
        for unit in 0..<u {
            var sum: Float = 0
            for k in 0..<f { sum += inp[row * f + k] * kernel[k * u + unit] }
            out[row * u + unit] = sum + (bias?[unit] ?? 0)
        }
    }
}
