/// How each operation runs: the kernel chosen for it and the buffers it reads and writes.
extension Network {
    static func perImageStep(_ node: Node, output: FloatBuffer, inputs: [FloatBuffer], inputShapes: [[Int]],
                             outputShape: [Int], weights: [FloatBuffer], winograd: Bool) throws(GraphError) -> (() -> Void)? {
        let out = output.pointer
        let inp = UnsafePointer(inputs[0].pointer)
        switch node.op {
        case .input:
            return nil
        case .conv2D:
            return try convolutionStep(node, output: output, input: inputs[0], inputShape: inputShapes[0],
                                       convolutionShape: outputShape, weights: weights, maxPool2x2: false, winograd: winograd)
        case .pool(let a):
            let g = WindowGeometry(inputShape: inputShapes[0], outputShape: outputShape, kernel: a.size,
                                   strides: a.strides, dilation: [1, 1], padding: a.padding)
            return { poolForward(out: out, inp: inp, kind: a.kind, g) }
        case .activation(let activation):
            let count = outputShape.reduce(1, *)
            let rowLength = outputShape.last ?? 1
            return {
                if out != UnsafeMutablePointer(mutating: inp) { out.update(from: inp, count: count) }
                activationForward(out, count: count, rowLength: rowLength, activation)
            }
        case .flatten, .identity:
            let count = outputShape.reduce(1, *)
            return out == UnsafeMutablePointer(mutating: inp) ? nil : { out.update(from: inp, count: count) }
        case .dense:
            throw GraphError(node: node, "expects a flat input")
        default:
            throw GraphError(node: node, "is not supported by this engine yet")
        }
    }

    /// A convolution, with its ReLU and optionally the 2x2 max pooling after it, as one step.
    static func convolutionStep(_ node: Node, output: FloatBuffer, input: FloatBuffer, inputShape: [Int], convolutionShape: [Int],
                                weights: [FloatBuffer], maxPool2x2: Bool, winograd: Bool) throws(GraphError) -> () -> Void {
        guard case .conv2D(let a) = node.op else { throw GraphError(node: node, "is not a convolution") }
        let out = output.pointer
        let inp = UnsafePointer(input.pointer)
        let g = WindowGeometry(inputShape: inputShape, outputShape: convolutionShape, kernel: a.kernel,
                               strides: a.strides, dilation: a.dilation, padding: a.padding)
        let kernel = weights[0].pointer, bias = a.useBias ? weights[1].pointer : nil
        let activation: Activation = a.activation == .relu ? .relu : .linear
        let rest = a.activation == .relu || a.activation == .linear ? nil : a.activation
        let forward: (UnsafeMutablePointer<Float>, UnsafePointer<Float>) -> Void
        let outputShape: [Int]
        // Winograd where it applies and has enough input channels to fill its GEMMs.
        if winograd && WinogradConvolution.supports(g) && g.c >= 8 {
            let conv = WinogradConvolution(g, kernel: kernel, bias: bias, activation: activation, maxPool2x2: maxPool2x2)
            (forward, outputShape) = (conv.forward, conv.outputShape)
        } else {
            let conv = DirectConvolution(g, kernel: kernel, bias: bias, activation: activation, maxPool2x2: maxPool2x2)
            (forward, outputShape) = (conv.forward, conv.outputShape)
        }
        let count = outputShape.reduce(1, *)
        return {
            forward(out, inp)
            if let rest { activationForward(out, count: count, rowLength: g.outC, rest) }
        }
    }

    static func batchStep(_ node: Node, output: FloatBuffer, inputs: [FloatBuffer], inputShapes: [[Int]],
                          outputShape: [Int], weights: [FloatBuffer]) throws(GraphError) -> (Int) -> Void {
        let out = output.pointer
        let inp = UnsafePointer(inputs[0].pointer)
        let count = outputShape.reduce(1, *)
        switch node.op {
        case .dense(let a):
            let dense = DenseKernel(features: inputShapes[0][0], units: a.units, kernel: weights[0].pointer,
                                    bias: a.useBias ? weights[1].pointer : nil, activation: a.activation)
            return { rows in dense.forward(out: out, inp: inp, rows: rows) }
        case .activation(let activation):
            return { rows in
                out.update(from: inp, count: rows * count)
                activationForward(out, count: rows * count, rowLength: count, activation)
            }
        case .flatten, .identity:
            return { rows in out.update(from: inp, count: rows * count) }
        default:
            throw GraphError(node: node, "expects a spatial input")
        }
    }
}
