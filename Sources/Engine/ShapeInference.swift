/// Output shapes of every node, with the checks that make a graph safe to run:
/// inputs exist and come earlier, ranks fit the operation, weights have the shapes
/// the attributes imply and lie inside the weight array.
public enum ShapeInference {
    public static func shapes(of graph: Graph, weightCount: Int) throws(GraphError) -> [[Int]] {
        guard case .input(let inputShape)? = graph.nodes.first?.op, inputShape.count == 3,
              inputShape.allSatisfy({ $0 > 0 }) else {
            throw GraphError("the model must start with an input of shape [height, width, channels]")
        }
        guard graph.nodes.indices.contains(graph.output) else { throw GraphError("the model output node does not exist") }
        var shapes: [[Int]] = []
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs where !(0..<index).contains(input) {
                throw GraphError(node: node, "reads node \(input), which does not come before it")
            }
            for weight in node.weights where weight.offset < 0 || weight.offset + weight.count > weightCount {
                throw GraphError(node: node, "weights lie outside the weight data (offset \(weight.offset), \(weight.count) values, \(weightCount) in all)")
            }
            shapes.append(try shape(of: node, inputs: node.inputs.map { shapes[$0] }, isFirst: index == 0))
        }
        return shapes
    }

    static func shape(of node: Node, inputs: [[Int]], isFirst: Bool) throws(GraphError) -> [Int] {
        func expectInputs(_ n: Int) throws(GraphError) {
            if inputs.count != n { throw GraphError(node: node, "expects \(n) input(s), has \(inputs.count)") }
        }
        func expectSpatial() throws(GraphError) -> (h: Int, w: Int, c: Int) {
            try expectInputs(1)
            guard inputs[0].count == 3 else { throw GraphError(node: node, "expects an [H, W, C] input, got \(inputs[0])") }
            return (inputs[0][0], inputs[0][1], inputs[0][2])
        }
        func expectWeights(_ expected: [[Int]]) throws(GraphError) {
            let actual = node.weights.map(\.shape)
            if actual != expected {
                throw GraphError(node: node, "weight shapes \(actual) do not match the layer's configuration, which needs \(expected). HINT: the weights do not belong to this architecture")
            }
        }
        switch node.op {
        case .input(let shape):
            if !isFirst { throw GraphError(node: node, "only the first node may be an input") }
            return shape
        case .conv2D(let a):
            let (h, w, c) = try expectSpatial()
            try expectWeights([[a.kernel[0], a.kernel[1], c, a.filters]] + (a.useBias ? [[a.filters]] : []))
            let oh = outputSize(h, kernel: a.kernel[0], stride: a.strides[0], dilation: a.dilation[0], padding: a.padding)
            let ow = outputSize(w, kernel: a.kernel[1], stride: a.strides[1], dilation: a.dilation[1], padding: a.padding)
            if oh < 1 || ow < 1 { throw GraphError(node: node, "the kernel is larger than its \(h)x\(w) input") }
            return [oh, ow, a.filters]
        case .pool(let a):
            let (h, w, c) = try expectSpatial()
            try expectWeights([])
            let oh = outputSize(h, kernel: a.size[0], stride: a.strides[0], dilation: 1, padding: a.padding)
            let ow = outputSize(w, kernel: a.size[1], stride: a.strides[1], dilation: 1, padding: a.padding)
            if oh < 1 || ow < 1 { throw GraphError(node: node, "the pool window is larger than its \(h)x\(w) input") }
            return [oh, ow, c]
        case .dense(let a):
            try expectInputs(1)
            guard inputs[0].count == 1 else { throw GraphError(node: node, "expects a flat input, got \(inputs[0]); HINT: add a Flatten layer before it") }
            try expectWeights([[inputs[0][0], a.units]] + (a.useBias ? [[a.units]] : []))
            return [a.units]
        case .flatten:
            try expectInputs(1)
            return [inputs[0].reduce(1, *)]
        case .activation, .identity:
            try expectInputs(1)
            return inputs[0]
        }
    }

    /// Keras/TF output size: `same` gives ceil(in / stride), `valid` floor((in - span) / stride) + 1.
    public static func outputSize(_ input: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding) -> Int {
        let span = (kernel - 1) * dilation + 1
        switch padding {
        case .same: return (input + stride - 1) / stride
        case .valid: return input >= span ? (input - span) / stride + 1 : 0
        }
    }

    /// TF's `same` padding before the first row/column: half the total, rounded down.
    public static func padBefore(_ input: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding) -> Int {
        guard padding == .same else { return 0 }
        let output = outputSize(input, kernel: kernel, stride: stride, dilation: dilation, padding: padding)
        let total = max((output - 1) * stride + (kernel - 1) * dilation + 1 - input, 0)
        return total / 2
    }
}
