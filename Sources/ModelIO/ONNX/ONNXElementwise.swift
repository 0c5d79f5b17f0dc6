import Engine

/// Elementwise ONNX operations: activations (which keep their input's layout), arithmetic
/// with a constant (`.rescaling`: one value or one per channel) and between computed
/// tensors (`.add`, `.multiply`).
extension ONNXGraphConverter {
    /// Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Clip on a tensor of any layout.
    mutating func convertActivation(_ node: ONNXNode) throws(ModelError) {
        let x = try tensor(node.requiredInput(0), for: node)
        var input = x.node
        let op: Operation
        switch node.opType {
        case "Relu", "Sigmoid", "Tanh":
            try node.allowAttributes([])
            op = .activation(node.opType == "Relu" ? .relu : node.opType == "Sigmoid" ? .sigmoid : .tanh)
        case "LeakyRelu":
            try node.allowAttributes(["alpha"])
            op = .relu(ReLUAttributes(negativeSlope: try node.float("alpha", default: 0.01)))
        case "Softmax":
            try node.allowAttributes(["axis"])
            input = try softmaxInput(x, for: node)
            op = .activation(.softmax)
        default:
            guard let clip = try clipOperation(node) else {
                bind(node.output, x)   // unbounded: nothing to do
                return
            }
            op = clip
        }
        let index = try add(op, inputs: [input], for: node)
        bind(node.output, x.with(node: index, source: node.name))
    }

    /// The engine node to run Softmax on: the engine normalises its last axis, which must be
    /// ONNX's `axis` (C of an NCHW tensor, the last axis of an ONNX-ordered one, or all
    /// features of a [batch, features] tensor in any order). Before opset 13, Softmax
    /// flattened from `axis` on, which is the same only for the last axis.
    private mutating func softmaxInput(_ x: HeldTensor, for node: ONNXNode) throws(ModelError) -> Int {
        var axis = try node.int("axis", default: opset >= 13 ? -1 : 1)
        if axis < 0 { axis += x.rank }
        guard opset >= 13 || axis == x.rank - 1 else { throw node.unsupported("axis=\(axis) before opset 13 on dims \(x.dims)") }
        if x.rank == 2, axis == 1, case .flattenedChannelsLast = x.order { return x.node }
        if x.order == .channelsLast, axis == 1 { return x.node }
        if x.order == .onnx, axis == x.rank - 1 { return try natural(x, for: node) }
        throw node.unsupported("axis=\(axis) of dims \(x.dims) (the channel or last axis)")
    }

    /// Clip's bounds (inputs min/max from opset 11, attributes before) as an engine operation:
    /// [0, inf) is ReLU, [0, max] ReLU with max_value (Keras's ReLU6), others `.clip`. Nil when
    /// it bounds nothing. The model buffer is JSON, which has no infinities, so an open side of
    /// a `.clip` becomes the largest finite float.
    private func clipOperation(_ node: ONNXNode) throws(ModelError) -> Operation? {
        try node.allowAttributes(["min", "max"])
        var lower = try node.float("min", default: -.infinity), upper = try node.float("max", default: .infinity)
        if let c = try optionalConstant(node, input: 1) { lower = try c.scalar(for: node) }
        if let c = try optionalConstant(node, input: 2) { upper = try c.scalar(for: node) }
        guard !lower.isNaN, !upper.isNaN, lower <= upper else { throw node.unsupported("bounds min=\(lower), max=\(upper)") }
        if lower == 0 { return upper == .infinity ? .activation(.relu) : .relu(ReLUAttributes(maxValue: upper)) }
        if lower == -.infinity && upper == .infinity { return nil }
        return .clip(lower: max(lower, -.greatestFiniteMagnitude), upper: min(upper, .greatestFiniteMagnitude))
    }

    /// Add, Sum, Sub, Mul: with one constant input -> `.rescaling`; between computed tensors
    /// of equal dims -> `.add` / `.multiply` (Mul also by one value per channel).
    mutating func convertArithmetic(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes([])
        let names = node.proto.input
        guard names.allSatisfy({ !$0.isEmpty }), node.opType == "Sum" ? !names.isEmpty : names.count == 2 else {
            throw node.error("has inputs \(names)")
        }
        var tensors: [HeldTensor] = [], constants: [ONNXConstant] = []
        for name in names {
            switch try value(name, for: node) {
            case .tensor(let t): tensors.append(t)
            case .constant(let c): constants.append(c)
            }
        }
        if constants.isEmpty, tensors.count == 1 {
            bind(node.output, tensors[0])   // a Sum of one
        } else if constants.isEmpty {
            try combine(tensors, for: node)
        } else if tensors.count == 1, constants.count == 1 {
            let constantFirst = constantIfAny(names[0]) != nil
            try rescale(tensors[0], by: constants[0], constantFirst: constantFirst, for: node)
        } else {
            throw node.unsupported("arithmetic on constants only (\(names)); fold them into one initializer")
        }
    }

    /// x * s, x + b, x - b, b - x -> one `.rescaling` (scale, offset); an Add/Sub of a
    /// constant read only by a Mul is absorbed into its offset (Keras's Rescaling layer).
    private mutating func rescale(_ x: HeldTensor, by c: ONNXConstant, constantFirst: Bool, for node: ONNXNode) throws(ModelError) {
        guard let v = channelVector(c, against: x) else {
            throw node.unsupported("broadcast of constant '\(c.name)' with dims \(c.dims) against dims \(x.dims) (one value, or one per channel)")
        }
        var scale: [Float] = [1], offset: [Float] = [0], last = node
        switch node.opType {
        case "Mul": scale = v
        case "Sub" where constantFirst: (scale, offset) = ([-1], v)
        case "Sub": offset = v.map { -$0 }
        default: offset = v
        }
        if node.opType == "Mul", let (next, u) = absorbOffset(after: node, against: x) {
            (offset, last) = (u, next)
        }
        // One value per channel needs the engine's last axis to be the channel axis.
        let input = max(scale.count, offset.count) > 1 && x.order == .onnx ? try natural(x, for: node) : x.node
        let index = try add(.rescaling(scale: scale, offset: offset), inputs: [input], for: node)
        bind(last.output, x.with(node: index, source: last.name))
    }

    /// The Add (or Sub) of a constant that alone reads `node`'s output, with its offset; absorbed.
    private mutating func absorbOffset(after node: ONNXNode, against x: HeldTensor) -> (ONNXNode, [Float])? {
        guard let next = soleReader(of: node.output), ["Add", "Sub"].contains(next.opType), next.proto.attribute.isEmpty,
              next.proto.input.count == 2 else { return nil }
        let mine = next.proto.input[0] == node.output
        guard next.opType == "Add" || mine, let c = constantIfAny(next.proto.input[mine ? 1 : 0]),
              let u = channelVector(c, against: x) else { return nil }
        absorb(next)
        return (next, next.opType == "Add" ? u : u.map { -$0 })
    }

    /// The values of `c` when it broadcasts against `x` as one value or one per engine channel
    /// (the only broadcasts `.rescaling` has); nil otherwise.
    private func channelVector(_ c: ONNXConstant, against x: HeldTensor) -> [Float]? {
        guard c.dims.count <= x.rank else { return nil }
        if c.count == 1 { return c.floats }
        guard let axis = x.engineChannelAxis else { return nil }
        let aligned = [Int](repeating: 1, count: x.rank - c.dims.count) + c.dims
        for (i, d) in aligned.enumerated() where d != (i == axis ? x.dims[axis] : 1) { return nil }
        return c.floats
    }

    /// Add/Sum of computed tensors of equal dims -> `.add`; Mul -> `.multiply`, also of a tensor
    /// by one value per channel ([1, C, 1, 1] against NCHW, [1, 1, 1, C] against NHWC).
    private mutating func combine(_ tensors: [HeldTensor], for node: ONNXNode) throws(ModelError) {
        if node.opType == "Sub" { throw node.unsupported("subtraction of two computed tensors") }
        var tensors = tensors
        if node.opType == "Mul", tensors[1].count > tensors[0].count { tensors.swapAt(0, 1) }
        let first = tensors[0]
        let inputs: [Int], order: HeldTensor.Order
        if tensors.allSatisfy({ $0.dims == first.dims }) {
            if tensors.allSatisfy({ $0.order == .channelsLast }) {
                (inputs, order) = (tensors.map(\.node), .channelsLast)
            } else {
                var naturals: [Int] = []
                for t in tensors { naturals.append(try natural(t, for: node)) }
                (inputs, order) = (naturals, .onnx)
            }
        } else if node.opType == "Mul", first.rank == 4, tensors[1].dims == [1, first.dims[1], 1, 1], first.order == .channelsLast {
            (inputs, order) = ([first.node, try spatial(tensors[1], for: node)], .channelsLast)
        } else if node.opType == "Mul", first.rank == 4, tensors[1].dims == [1, 1, 1, first.dims[3]], first.order == .onnx {
            (inputs, order) = ([try natural(first, for: node), try natural(tensors[1], for: node)], .onnx)
        } else {
            throw node.unsupported("broadcasting between dims \(tensors.map(\.dims))")
        }
        let index = try add(node.opType == "Mul" ? .multiply : .add, inputs: inputs, for: node)
        bind(node.output, HeldTensor(node: index, dims: first.dims, order: order, source: node.name))
    }
}
