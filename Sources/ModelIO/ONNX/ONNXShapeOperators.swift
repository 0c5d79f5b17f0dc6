import Engine

/// ONNX operations on layout and shape: Transpose (layout changes only, no engine node),
/// Reshape/Flatten/Squeeze/Unsqueeze (views), Pad, Concat, and the pass-throughs Identity,
/// Dropout and Constant. See ONNXLayout.swift for how layout is tracked.
extension ONNXGraphConverter {
    /// NHWC <-> NCHW of the same data changes only the record of how the engine holds the
    /// tensor; so does a permutation that moves no data. Others would move data: refused.
    mutating func convertTranspose(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(["perm"])
        let x = try tensor(node.requiredInput(0), for: node)
        let perm = try node.ints("perm") ?? Array((0..<x.rank).reversed())
        guard perm.sorted() == Array(0..<x.rank) else { throw node.error("perm=\(perm) is not a permutation of \(x.rank) axes") }
        let dims = ONNXLayout.permuted(x.dims, by: perm)
        if perm == Array(0..<x.rank) {
            bind(node.output, x)
        } else if x.order == .onnx, perm == ONNXLayout.toChannelsFirst {
            let held = try materialize(x, as: Array(x.dims.dropFirst()))
            bind(node.output, HeldTensor(node: held, dims: dims, order: .channelsLast, source: node.name))
        } else if x.order == .channelsLast, perm == ONNXLayout.toChannelsLast {
            bind(node.output, HeldTensor(node: x.node, dims: dims, order: .onnx, source: node.name))
        } else if perm[0] == 0, let ordered = x.inONNXOrder, ONNXLayout.transposeKeepsOrder(x.dims, perm: perm) {
            bind(node.output, ordered.with(dims: dims, source: node.name))
        } else {
            throw node.unsupported("perm=\(perm) of dims \(x.dims): only NHWC <-> NCHW layout changes, or ones that move no data")
        }
    }

    /// Reshape, Flatten (axis 1), Squeeze, Unsqueeze: the batch axis stays first.
    mutating func convertReshape(_ node: ONNXNode) throws(ModelError) {
        let x = try tensor(node.requiredInput(0), for: node)
        let target: [Int]
        switch node.opType {
        case "Reshape":
            try node.allowAttributes(["allowzero"])
            let requested = try constant(node.requiredInput(1), for: node).integers(for: node)
            let allowZero = try node.int("allowzero", default: 0) != 0
            guard let dims = ONNXLayout.reshapedDims(x.dims, target: requested, allowZero: allowZero) else {
                throw node.error("cannot reshape dims \(x.dims) to \(requested)")
            }
            target = dims
        case "Flatten":
            try node.allowAttributes(["axis"])
            let axis = try node.int("axis", default: 1)
            guard axis == 1 || axis == 1 - x.rank else { throw node.unsupported("axis=\(axis) (only 1: keep the batch axis)") }
            target = [1, x.count]
        case "Squeeze":
            try node.allowAttributes(["axes"])
            let listed = try integers(node, attribute: "axes", input: 1) ?? x.dims.indices.filter { $0 > 0 && x.dims[$0] == 1 }
            let axes = Set(listed.map { $0 < 0 ? $0 + x.rank : $0 })
            guard !axes.contains(0) else { throw node.unsupported("squeezing the batch axis") }
            guard axes.allSatisfy({ x.dims.indices.contains($0) && x.dims[$0] == 1 }) else {
                throw node.error("axes=\(listed) of dims \(x.dims) are not all of size 1")
            }
            target = x.dims.indices.filter { !axes.contains($0) }.map { x.dims[$0] }
        default: // Unsqueeze
            try node.allowAttributes(["axes"])
            guard let listed = try integers(node, attribute: "axes", input: 1) else { throw node.error("axes are missing") }
            let rank = x.rank + listed.count
            let axes = Set(listed.map { $0 < 0 ? $0 + rank : $0 })
            guard axes.count == listed.count, axes.allSatisfy({ (1..<rank).contains($0) }) else {
                throw node.unsupported("axes=\(listed) for dims \(x.dims) (the batch axis stays first)")
            }
            var rest = x.dims.makeIterator()
            target = (0..<rank).map { axes.contains($0) ? 1 : rest.next()! }
        }
        guard target.first == 1 else { throw node.unsupported("reshape of dims \(x.dims) to \(target), which moves the batch axis") }
        bind(node.output, try reshaped(x, to: target, for: node))
    }

    /// `x` with ONNX dims `target` (same element count). A view when the engine holds `x` in
    /// ONNX's order. An NCHW tensor held channels-last can only be flattened to [1, F]: the
    /// engine then holds the NHWC flattening, and the next MatMul/Gemm reorders its rows.
    private mutating func reshaped(_ x: HeldTensor, to target: [Int], for node: ONNXNode) throws(ModelError) -> HeldTensor {
        if target == x.dims { return x.with(source: node.name) }
        if let ordered = x.inONNXOrder { return ordered.with(dims: target, source: node.name) }
        guard x.order == .channelsLast, target.count == 2 else {
            throw node.unsupported("reshape of dims \(x.dims) to \(target): the engine holds the tensor channels-last (only a flatten for a MatMul/Gemm can be reordered)")
        }
        let shape = shapes[x.node]
        let flat = try reshapeNode(x.node, to: [x.count], name: node.name)
        return HeldTensor(node: flat, dims: target, order: .flattenedChannelsLast(h: shape[0], w: shape[1], c: shape[2]), source: node.name)
    }

    /// Pad with constant zeros around H and W -> `.zeroPadding` [top, bottom, left, right].
    mutating func convertPad(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(["mode", "pads", "value"])
        let mode = try node.string("mode", default: "constant")
        guard mode == "constant" else { throw node.unsupported("mode=\(mode) (only constant)") }
        if node.input(3) != nil { throw node.unsupported("axes input") }
        var value = try node.float("value", default: 0)
        if let c = try optionalConstant(node, input: 2) { value = try c.scalar(for: node) }
        guard value == 0 else { throw node.unsupported("constant_value=\(value) (only zeros)") }
        let x = try tensor(node.requiredInput(0), for: node)
        guard let pads = try integers(node, attribute: "pads", input: 1) else { throw node.error("pads are missing") }
        guard x.rank == 4, pads.count == 8, pads.allSatisfy({ $0 >= 0 }) else {
            throw node.unsupported("pads=\(pads) on dims \(x.dims) (non-negative pads of a 4-D tensor)")
        }
        if pads.allSatisfy({ $0 == 0 }) {
            bind(node.output, x)
            return
        }
        let padded = (0..<4).map { x.dims[$0] + pads[$0] + pads[$0 + 4] }
        let zeroOn: (Int, Int) -> Bool = { a, b in pads[a] == 0 && pads[a + 4] == 0 && pads[b] == 0 && pads[b + 4] == 0 }
        if x.order == .onnx, zeroOn(0, 3) {
            // NHWC in ONNX order: pad H (axis 1) and W (axis 2).
            let index = try add(.zeroPadding([pads[1], pads[5], pads[2], pads[6]]), inputs: [try natural(x, for: node)], for: node)
            bind(node.output, HeldTensor(node: index, dims: padded, order: .onnx, source: node.name))
        } else if zeroOn(0, 1), x.order == .channelsLast || x.inONNXOrder != nil {
            // NCHW: pad H (axis 2) and W (axis 3).
            let index = try add(.zeroPadding([pads[2], pads[6], pads[3], pads[7]]), inputs: [try spatial(x, for: node)], for: node)
            bind(node.output, channelsLastTensor(index, source: node.name))
        } else {
            throw node.unsupported("pads=\(pads) on dims \(x.dims) (only the two spatial axes)")
        }
    }

    /// Concat along the channel axis (C of NCHW tensors, or the last axis of ONNX-ordered ones).
    mutating func convertConcat(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(["axis"])
        var tensors: [HeldTensor] = []
        for name in node.proto.input where !name.isEmpty { tensors.append(try tensor(name, for: node)) }
        guard let first = tensors.first, tensors.allSatisfy({ $0.rank == first.rank }) else {
            throw node.error("concatenates inputs of different ranks \(tensors.map(\.dims))")
        }
        guard node.attribute("axis") != nil else { throw node.error("axis is missing") }
        let listed = try node.int("axis", default: 0)
        let axis = listed < 0 ? listed + first.rank : listed
        var inputs: [Int] = [], order: HeldTensor.Order
        if axis == 1, first.rank == 4, tensors.allSatisfy({ $0.order == .channelsLast }) {
            (inputs, order) = (tensors.map(\.node), .channelsLast)
        } else if axis == first.rank - 1, tensors.allSatisfy({ $0.inONNXOrder != nil }) {
            for t in tensors { inputs.append(try natural(t, for: node)) }
            order = .onnx
        } else {
            throw node.unsupported("axis=\(listed) for dims \(tensors.map(\.dims)) (the engine joins channels)")
        }
        var dims = first.dims
        dims[axis] = tensors.reduce(0) { $0 + $1.dims[axis] }
        let index = try add(.concatenate, inputs: inputs, for: node)
        bind(node.output, HeldTensor(node: index, dims: dims, order: order, source: node.name))
    }

    /// Identity and (inference) Dropout pass their input on: no engine node.
    mutating func convertIdentity(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(node.opType == "Dropout" ? ["ratio", "seed", "is_test"] : [])
        if node.proto.output.count > 1, isRead(node.proto.output[1]) { throw node.unsupported("mask output") }
        if let training = try optionalConstant(node, input: 2), training.floats.contains(where: { $0 != 0 }) {
            throw node.unsupported("training_mode=true")
        }
        bind(node.output, to: try value(node.requiredInput(0), for: node))
    }

    /// Constant -> a constant value (tensor, float(s) or int(s) attribute).
    mutating func convertConstant(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(["value", "value_float", "value_floats", "value_int", "value_ints"])
        let constant: ONNXConstant
        if let a = node.attribute("value") {
            constant = try ONNXConstant(a.t)
        } else if let a = node.attribute("value_float") {
            constant = ONNXConstant(name: node.output, dims: [], floats: [a.f])
        } else if let a = node.attribute("value_floats") {
            constant = ONNXConstant(name: node.output, dims: [a.floats.count], floats: a.floats)
        } else if let a = node.attribute("value_int") {
            constant = ONNXConstant(name: node.output, dims: [], floats: [Float(a.i)], exactIntegers: [Int(a.i)])
        } else if let a = node.attribute("value_ints") {
            constant = ONNXConstant(name: node.output, dims: [a.ints.count], floats: a.ints.map { Float($0) }, exactIntegers: a.ints.map { Int($0) })
        } else {
            throw node.unsupported("Constant without a numeric value (sparse or string)")
        }
        bind(node.output, to: .constant(constant))
    }
}

