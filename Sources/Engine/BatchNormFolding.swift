/// Inference batch norm as y = x * scale + offset: scale = gamma / sqrt(variance + epsilon),
/// offset = beta - mean * scale (computed in double).
func batchNormAffine(_ a: BatchNormalizationAttributes, _ weights: [UnsafeBufferPointer<Float>]) -> (scale: [Float], offset: [Float]) {
    var k = 0
    let gamma = a.scale ? weights[k] : nil; if a.scale { k += 1 }
    let beta = a.center ? weights[k] : nil; if a.center { k += 1 }
    let mean = weights[k], variance = weights[k + 1]
    var scale = [Float](), offset = [Float]()
    for c in mean.indices {
        let s = Double(gamma?[c] ?? 1) / (Double(variance[c]) + Double(a.epsilon)).squareRoot()
        scale.append(Float(s))
        offset.append(Float(Double(beta?[c] ?? 0) - Double(mean[c]) * s))
    }
    return (scale, offset)
}

/// Folds a batch norm into the convolution before it, per output channel (the last axis of
/// `kernel`, `outC` of them): w' = w * s, b' = b * s + offset, with batchNormAffine's s and offset.
func foldBatchNorm(_ a: BatchNormalizationAttributes, _ weights: [UnsafeBufferPointer<Float>],
                   into kernel: inout [Float], bias: inout [Float], outC: Int) {
    let (scale, offset) = batchNormAffine(a, weights)
    for i in kernel.indices { kernel[i] *= scale[i % outC] }
    for c in 0..<outC { bias[c] = bias[c] * scale[c] + offset[c] }
}
