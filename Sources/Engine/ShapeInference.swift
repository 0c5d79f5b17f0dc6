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
        case .activation, .identity, .relu, .clip:
            try expectInputs(1)
            try expectWeights([])
            return inputs[0]
        case .depthwiseConv2D(let a):
            let (h, w, c) = try expectSpatial()
            let m = a.depthMultiplier
            try expectWeights([[a.kernel[0], a.kernel[1], c, m]] + (a.useBias ? [[c * m]] : []))
            let oh = outputSize(h, kernel: a.kernel[0], stride: a.strides[0], dilation: a.dilation[0], padding: a.padding)
            let ow = outputSize(w, kernel: a.kernel[1], stride: a.strides[1], dilation: a.dilation[1], padding: a.padding)
            if oh < 1 || ow < 1 { throw GraphError(node: node, "the kernel is larger than its \(h)x\(w) input") }
            return [oh, ow, c * m]
        case .batchNormalization(let a):
            try expectInputs(1)
            let c = inputs[0].last ?? 0
            try expectWeights([[Int]](repeating: [c], count: (a.scale ? 1 : 0) + (a.center ? 1 : 0) + 2))
            return inputs[0]
        case .add:
            guard inputs.count >= 2, inputs.allSatisfy({ $0 == inputs[0] }) else {
                throw GraphError(node: node, "adds inputs of different shapes \(inputs)")
            }
            return inputs[0]
        case .multiply:
            try expectInputs(2)
            let c = inputs[0].last ?? 0
            guard inputs[1] == inputs[0] || inputs[1] == [c] || inputs[1] == [1, 1, c] else {
                throw GraphError(node: node, "multiplies \(inputs[0]) by \(inputs[1]); supported: equal shapes or one value per channel")
            }
            return inputs[0]
        case .concatenate:
            guard inputs.count >= 1, inputs.allSatisfy({ $0.dropLast() == inputs[0].dropLast() }) else {
                throw GraphError(node: node, "concatenates inputs whose shapes differ before the channel axis: \(inputs)")
            }
            return inputs[0].dropLast() + [inputs.reduce(0) { $0 + ($1.last ?? 0) }]
        case .zeroPadding(let p):
            let (h, w, c) = try expectSpatial()
            guard p.count == 4, p.allSatisfy({ $0 >= 0 }) else { throw GraphError(node: node, "padding must be four counts, got \(p)") }
            return [h + p[0] + p[1], w + p[2] + p[3], c]
        case .globalAveragePooling(let keepDims):
            let (_, _, c) = try expectSpatial()
            return keepDims ? [1, 1, c] : [c]
        case .rescaling(let scale, let offset):
            try expectInputs(1)
            let c = inputs[0].last ?? 0
            guard [1, c].contains(scale.count), [1, c].contains(offset.count) else {
                throw GraphError(node: node, "scale and offset must be one value or one per channel")
            }
            return inputs[0]
        case .reshape(let shape):
            try expectInputs(1)
            guard shape.allSatisfy({ $0 > 0 }), shape.reduce(1, *) == inputs[0].reduce(1, *), [1, 3].contains(shape.count) else {
                throw GraphError(node: node, "cannot reshape \(inputs[0]) to \(shape)")
            }
            return shape
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
