import Engine

extension Graph {
    /// True when the last operation is a sigmoid or softmax: outputs are probabilities.
    var endsInProbabilities: Bool {
        switch nodes[output].op {
        case .dense(let a): return a.activation == .sigmoid || a.activation == .softmax
        case .conv2D(let a): return a.activation == .sigmoid || a.activation == .softmax
        case .activation(let a): return a == .sigmoid || a == .softmax
        default: return false
        }
    }
}
