import Engine

// Scalar references that fix the order and rounding of every sum exactly as the fast
// kernels promise: products accumulated one by one, in the stated order, with the same
// multiply-add (fused, or rounded twice in -DDOGCAT_NO_FMA builds), starting from zero;
// then + bias, then the clamp. A fast kernel that equals these bit for bit computes the
// same bits on every vector ISA, whatever its width and tile.

/// s + a * b as the kernels' Vector.accumulate does it, one lane.
@inline(__always)
func multiplyAdd(_ s: Float, _ a: Float, _ b: Float) -> Float {
    #if DOGCAT_NO_FMA
    s + a * b
    #else
    s.addingProduct(a, b)
    #endif
}

/// Convolution, each output the sum over (ky, kx, c) in order (padding taps skipped, which
/// a fused multiply-add of a zero leaves unchanged), + bias, clamped.
func convolutionInOrder(_ input: [Float], _ kernel: [Float], _ bias: [Float], _ g: WindowGeometry,
                        clamp: ClampRange = .none) -> [Float] {
    var out = [Float](repeating: 0, count: g.outH * g.outW * g.outC)
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
                            sum = multiplyAdd(sum, input[(iy * g.w + ix) * g.c + c], kernel[((ky * g.kernelW + kx) * g.c + c) * g.outC + oc])
                        }
                    }
                }
                out[(oy * g.outW + ox) * g.outC + oc] = min(max(sum + bias[oc], clamp.lower), clamp.upper)
            }
        }
    }
    return out
}

/// Depthwise convolution (multiplier 1), each output the sum over (ky, kx) in order, + bias, clamped.
func depthwiseInOrder(_ input: [Float], _ kernel: [Float], _ bias: [Float], _ g: WindowGeometry,
                      clamp: ClampRange = .none) -> [Float] {
    var out = [Float](repeating: 0, count: g.outH * g.outW * g.c)
    for oy in 0..<g.outH {
        for ox in 0..<g.outW {
            for c in 0..<g.c {
                var sum: Float = 0
                for ky in 0..<g.kernelH {
                    let iy = oy * g.strideH + ky * g.dilationH - g.padTop
                    if iy < 0 || iy >= g.h { continue }
                    for kx in 0..<g.kernelW {
                        let ix = ox * g.strideW + kx * g.dilationW - g.padLeft
                        if ix < 0 || ix >= g.w { continue }
                        sum = multiplyAdd(sum, input[(iy * g.w + ix) * g.c + c], kernel[(ky * g.kernelW + kx) * g.c + c])
                    }
                }
                out[(oy * g.outW + ox) * g.c + c] = min(max(sum + bias[c], clamp.lower), clamp.upper)
            }
        }
    }
    return out
}

/// Dense layer, each output the sum over k in order, + bias.
func denseInOrder(_ input: [Float], _ kernel: [Float], _ bias: [Float], rows: Int, features: Int, units: Int) -> [Float] {
    var out = [Float](repeating: 0, count: rows * units)
    for row in 0..<rows {
        for unit in 0..<units {
            var sum: Float = 0
            for k in 0..<features { sum = multiplyAdd(sum, input[row * features + k], kernel[k * units + unit]) }
            out[row * units + unit] = sum + bias[unit]
        }
    }
    return out
}

/// 2x2 max pooling, stride 2, of an (h, w, c) image (the odd last row and column dropped).
func maxPool2x2(_ x: [Float], h: Int, w: Int, c: Int) -> [Float] {
    var out = [Float](repeating: 0, count: (h / 2) * (w / 2) * c)
    for py in 0..<(h / 2) {
        for px in 0..<(w / 2) {
            for ch in 0..<c {
                func at(_ y: Int, _ x0: Int) -> Float { x[((2 * py + y) * w + 2 * px + x0) * c + ch] }
                out[(py * (w / 2) + px) * c + ch] = max(max(at(0, 0), at(0, 1)), max(at(1, 0), at(1, 1)))
            }
        }
    }
    return out
}
