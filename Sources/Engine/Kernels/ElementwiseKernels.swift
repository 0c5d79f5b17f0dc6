// Kernels that touch each value once: the glue between the layers of Functional models.
// `count` is the number of floats (a whole batch for flat tensors); channels are last.

/// out = sum of the inputs, left to right (two inputs in one pass).
public func addForward(out: UnsafeMutablePointer<Float>, inputs: [UnsafePointer<Float>], count: Int) {
    guard inputs.count > 1 else { out.update(from: inputs[0], count: count); return }
    let (a, b) = (inputs[0], inputs[1])
    for i in 0..<count { out[i] = a[i] + b[i] }
    for input in inputs.dropFirst(2) { for i in 0..<count { out[i] += input[i] } }
}

/// out += other, for a residual Add a kernel could not do in its store.
public func addInPlace(_ out: UnsafeMutablePointer<Float>, _ other: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { out[i] += other[i] }
}

/// out = a * b, where b has `count` values or repeats every `bCount` values (one per channel).
public func multiplyForward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int, bCount: Int) {
    if bCount == count {
        for i in 0..<count { out[i] = a[i] * b[i] }
        return
    }
    var i = 0
    while i < count {
        for c in 0..<bCount { out[i + c] = a[i + c] * b[c] }
        i += bCount
    }
}

/// out = x * scale[c] + offset[c] per channel (scale and offset have one or `channels` values).
public func affineForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, channels: Int,
                          scale: [Float], offset: [Float]) {
    let s = scale.count == 1 ? [Float](repeating: scale[0], count: channels) : scale
    let o = offset.count == 1 ? [Float](repeating: offset[0], count: channels) : offset
    s.withUnsafeBufferPointer { s in
        o.withUnsafeBufferPointer { o in
            var i = 0
            while i < count {
                for c in 0..<channels { out[i + c] = inp[i + c] * s[c] + o[c] }
                i += channels
            }
        }
    }
}

/// min(max(x, lower), upper).
public func clampForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, _ range: ClampRange) {
    for i in 0..<count { out[i] = range.apply(inp[i]) }
}

/// Keras ReLU: x >= threshold ? min(x, maxValue) : negativeSlope * (x - threshold).
public func reluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, _ a: ReLUAttributes) {
    let upper = a.maxValue ?? .infinity
    for i in 0..<count {
        let x = inp[i]
        out[i] = x >= a.threshold ? min(x, upper) : a.negativeSlope * (x - a.threshold)
    }
}

/// Joins per-pixel channel runs: inputs[k] has channels[k] channels; `pixels` pixels.
public func concatenateForward(out: UnsafeMutablePointer<Float>, inputs: [UnsafePointer<Float>], channels: [Int], pixels: Int) {
    let total = channels.reduce(0, +)
    var first = 0
    for (input, c) in zip(inputs, channels) {
        for p in 0..<pixels { (out + p * total + first).update(from: input + p * c, count: c) }
        first += c
    }
}

/// Zeros around an (H, W, C) image: padding is [top, bottom, left, right].
public func zeroPadForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, h: Int, w: Int, c: Int, padding: [Int]) {
    let outW = w + padding[2] + padding[3]
    // Zero only the border: the rows above and below, and each row's two ends.
    out.update(repeating: 0, count: padding[0] * outW * c)
    (out + (padding[0] + h) * outW * c).update(repeating: 0, count: padding[1] * outW * c)
    for y in 0..<h {
        let row = out + (y + padding[0]) * outW * c
        row.update(repeating: 0, count: padding[2] * c)
        (row + padding[2] * c).update(from: inp + y * w * c, count: w * c)
        (row + (padding[2] + w) * c).update(repeating: 0, count: padding[3] * c)
    }
}

/// Mean over all pixels of an (H, W, C) image, per channel: out is (C).
public func globalAveragePoolForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, h: Int, w: Int, c: Int) {
    out.update(repeating: 0, count: c)
    for p in 0..<(h * w) { for ch in 0..<c { out[ch] += inp[p * c + ch] } }
    let n = Float(h * w)
    for ch in 0..<c { out[ch] /= n }
}
