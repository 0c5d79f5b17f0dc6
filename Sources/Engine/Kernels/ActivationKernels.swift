import Foundation

/// Elementwise activations on `count` floats in place; softmax works on rows of `rowLength`.
/// Sigmoid is 1 / (1 + exp(-x)) and softmax subtracts the row maximum first, as TensorFlow does.
public func activationForward(_ x: UnsafeMutablePointer<Float>, count: Int, rowLength: Int, _ activation: Activation) {
    switch activation {
    case .linear:
        return
    case .relu:
        for i in 0..<count where x[i] < 0 { x[i] = 0 }
    case .sigmoid:
        for i in 0..<count { x[i] = 1 / (1 + expf(-x[i])) }
    case .tanh:
        for i in 0..<count { x[i] = tanhf(x[i]) }
    case .softmax:
        var row = 0
        while row < count {
            let r = x + row
            var maximum = -Float.infinity
            for i in 0..<rowLength { maximum = max(maximum, r[i]) }
            var sum: Float = 0
            for i in 0..<rowLength { r[i] = expf(r[i] - maximum); sum += r[i] }
            for i in 0..<rowLength { r[i] /= sum }
            row += rowLength
        }
    }
}
