import Engine

/// ONNX op type -> engine operation: the dispatch, and the operations with weights or
/// windows (Conv, pooling, BatchNormalization, MatMul/Gemm). Elementwise operations are in
/// ONNXElementwise.swift, layout and shape operations in ONNXShapeOperators.swift.
///
/// Each handler reads its inputs' values, adds engine nodes and binds its output. What the
/// engine cannot compute exactly is refused, naming the node, its op type and the setting.
extension ONNXGraphConverter {
    mutating func convert(_ node: ONNXNode) throws(ModelError) {
        switch node.opType {
        case "Conv": try convertConv(node)
        case "MaxPool", "AveragePool": try convertPool(node)
        case "GlobalAveragePool": try convertGlobalAveragePool(node)
        case "ReduceMean": try convertReduceMean(node)
        case "BatchNormalization": try convertBatchNormalization(node)
        case "MatMul", "Gemm": try convertDense(node)
        case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softmax", "Clip": try convertActivation(node)
        case "Add", "Sum", "Sub", "Mul": try convertArithmetic(node)
        case "Transpose": try convertTranspose(node)
        case "Reshape", "Flatten", "Squeeze", "Unsqueeze": try convertReshape(node)
        case "Pad": try convertPad(node)
        case "Concat": try convertConcat(node)
        case "Identity", "Dropout": try convertIdentity(node)
        case "Constant": try convertConstant(node)
        default: throw node.error("unsupported op type \(node.opType)")
        }
    }

    /// Conv with group 1 -> `.conv2D`; group == channels -> `.depthwiseConv2D`. Kernels
    /// OIHW -> [KH, KW, C, OC] (or [KH, KW, C, M]); a Relu/Sigmoid/Tanh read only by it is absorbed.
    mutating func convertConv(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"])
        let x = try tensor(node.requiredInput(0), for: node)
        let w = try constant(node.requiredInput(1), for: node)
        let bias = try optionalConstant(node, input: 2)
        guard w.dims.count == 4 else { throw node.unsupported("kernel of dims \(w.dims) (only 2-D convolutions)") }
        let (o, i, kh, kw) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3])
        if let shape = try node.ints("kernel_shape"), shape != [kh, kw] {
            throw node.error("kernel_shape \(shape) does not match the weights' dims \(w.dims)")
        }
        if let bias, bias.count != o { throw node.error("bias has \(bias.count) values for \(o) output channels") }
        var input = try spatial(x, for: node)
        let c = shapes[input][2]
        let window = try ONNXWindow(node: node, kernel: [kh, kw], height: shapes[input][0], width: shapes[input][1])
        let padding = try padding(window, input: &input, for: node)
        let group = try node.int("group", default: 1)
        let (activation, last) = try absorbActivation(after: node, softmax: false)
        let kernel = ONNXWeightLayout.convKernel(w.floats, o: o, i: i, kh: kh, kw: kw)
        let op: Operation, kernelShape: [Int]
        if group == 1 {
            guard i == c else { throw node.error("weights for \(i) input channels, the input has \(c)") }
            kernelShape = [kh, kw, c, o]
            op = .conv2D(Conv2DAttributes(filters: o, kernel: [kh, kw], strides: window.strides, dilation: window.dilations,
                                          padding: padding, useBias: bias != nil, activation: activation))
        } else if group == c, i == 1, o % c == 0 {
            kernelShape = [kh, kw, c, o / c]
            op = .depthwiseConv2D(DepthwiseConv2DAttributes(depthMultiplier: o / c, kernel: [kh, kw], strides: window.strides,
                                                            dilation: window.dilations, padding: padding, useBias: bias != nil,
                                                            activation: activation))
        } else {
            throw node.unsupported("group=\(group) with \(c) input channels (1, or the channel count for a depthwise convolution)")
        }
        var weights = [addWeights(kernel, shape: kernelShape)]
        if let bias { weights.append(addWeights(bias.floats, shape: [o])) }
        let index = try add(op, inputs: [input], weights: weights, for: node)
        bind(last.output, channelsLastTensor(index, source: last.name))
    }

    /// MaxPool/AveragePool -> `.pool`. The engine pads like TensorFlow: max pooling ignores
    /// the padding, average pooling averages real values only (count_include_pad=0); average
    /// pooling that counts the padding gets an explicit `.zeroPadding` node instead.
    mutating func convertPool(_ node: ONNXNode) throws(ModelError) {
        let isMax = node.opType == "MaxPool"
        try node.allowAttributes(["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides",
                                  isMax ? "storage_order" : "count_include_pad"])
        if try node.int("ceil_mode", default: 0) != 0 { throw node.unsupported("ceil_mode=1") }
        if node.proto.output.count > 1, isRead(node.proto.output[1]) { throw node.unsupported("Indices output") }
        guard let kernel = try node.ints("kernel_shape") else { throw node.error("kernel_shape is missing") }
        var input = try spatial(tensor(node.requiredInput(0), for: node), for: node)
        let window = try ONNXWindow(node: node, kernel: kernel, height: shapes[input][0], width: shapes[input][1])
        if window.dilations != [1, 1] { throw node.unsupported("dilations=\(window.dilations)") }
        let countsPadding = try node.int("count_include_pad", default: 0) != 0
        let padding: Padding
        switch window.pads {
        case .engine(.valid):
            padding = .valid
        case .engine(.same) where !countsPadding:
            padding = .same
        default:
            guard !isMax && countsPadding else {
                throw node.unsupported("pads=\(window.counts) [top, bottom, left, right] with \(isMax ? "max pooling" : "count_include_pad=0"): only none or TensorFlow's 'same'")
            }
            input = try add(.zeroPadding(window.counts), inputs: [input], for: node, name: "\(node.name)/pad")
            padding = .valid
        }
        let op = Operation.pool(PoolAttributes(kind: isMax ? .max : .average, size: kernel, strides: window.strides, padding: padding))
        let index = try add(op, inputs: [input], for: node)
        bind(node.output, channelsLastTensor(index, source: node.name))
    }

    /// GlobalAveragePool -> `.globalAveragePooling(keepDims: true)`: [1, C, 1, 1] held as [1, 1, C].
    mutating func convertGlobalAveragePool(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes([])
        let input = try spatial(tensor(node.requiredInput(0), for: node), for: node)
        let index = try add(.globalAveragePooling(keepDims: true), inputs: [input], for: node)
        bind(node.output, channelsLastTensor(index, source: node.name))
    }

    /// ReduceMean over the two spatial axes (H, W of NCHW, or of an NHWC tensor in ONNX order)
    /// -> `.globalAveragePooling`, keeping dims or not.
    mutating func convertReduceMean(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(["axes", "keepdims", "noop_with_empty_axes"])
        let x = try tensor(node.requiredInput(0), for: node)
        let keepDims = try node.int("keepdims", default: 1) != 0
        guard let listed = try integers(node, attribute: "axes", input: 1), x.rank == 4 else {
            throw node.unsupported("mean over all axes of dims \(x.dims) (only over the spatial axes of a 4-D tensor)")
        }
        let axes = listed.map { $0 < 0 ? $0 + x.rank : $0 }.sorted()
        let input: Int, channels: Int, nchw: Bool
        if axes == [2, 3] {
            (input, channels, nchw) = (try spatial(x, for: node), x.dims[1], true)
        } else if axes == [1, 2], x.order == .onnx {
            (input, channels, nchw) = (try natural(x, for: node), x.dims[3], false)
        } else {
            throw node.unsupported("axes=\(listed) of dims \(x.dims) (only the spatial axes)")
        }
        let index = try add(.globalAveragePooling(keepDims: keepDims), inputs: [input], for: node)
        let result = !keepDims ? HeldTensor(node: index, dims: [1, channels], order: .onnx, source: node.name)
            : nchw ? channelsLastTensor(index, source: node.name)
            : HeldTensor(node: index, dims: [1, 1, 1, channels], order: .onnx, source: node.name)
        bind(node.output, result)
    }

    /// BatchNormalization (inference) on NCHW or [batch, features] -> `.batchNormalization`
    /// with gamma, beta, mean, variance.
    mutating func convertBatchNormalization(_ node: ONNXNode) throws(ModelError) {
        try node.allowAttributes(["epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"])
        if try node.int("training_mode", default: 0) != 0 { throw node.unsupported("training_mode=1") }
        if try node.int("spatial", default: 1) != 1 { throw node.unsupported("spatial=0") }
        if node.proto.output.dropFirst().contains(where: isRead) { throw node.unsupported("training outputs (running mean/variance)") }
        let x = try tensor(node.requiredInput(0), for: node)
        guard [2, 4].contains(x.rank) else { throw node.unsupported("input of rank \(x.rank) (dims \(x.dims))") }
        let input = x.rank == 4 ? try spatial(x, for: node) : try natural(x, for: node)
        let channels = x.dims[1]
        var weights: [WeightRef] = []
        for position in 1...4 {
            let parameter = try constant(node.requiredInput(position), for: node)
            guard parameter.count == channels else {
                throw node.error("'\(parameter.name)' has \(parameter.count) values for \(channels) channels")
            }
            weights.append(addWeights(parameter.floats, shape: [channels]))
        }
        let epsilon = try node.float("epsilon", default: 1e-5)
        let index = try add(.batchNormalization(BatchNormalizationAttributes(epsilon: epsilon)), inputs: [input], weights: weights, for: node)
        bind(node.output, x.rank == 4 ? channelsLastTensor(index, source: node.name)
                                      : HeldTensor(node: index, dims: x.dims, order: .onnx, source: node.name))
    }

    /// MatMul / Gemm with constant weights -> `.dense` (kernel [F, UNITS]; transB and alpha
    /// applied). A MatMul's bias Add and an activation read only by it are absorbed. An input
    /// flattened from NCHW has its kernel rows reordered to the engine's NHWC flattening.
    mutating func convertDense(_ node: ONNXNode) throws(ModelError) {
        let isGemm = node.opType == "Gemm"
        try node.allowAttributes(isGemm ? ["alpha", "beta", "transA", "transB"] : [])
        let a = try tensor(node.requiredInput(0), for: node)
        let b = try constant(node.requiredInput(1), for: node)
        guard a.rank == 2 else { throw node.unsupported("input of rank \(a.rank) (dims \(a.dims)); expects [batch, features]") }
        guard b.dims.count == 2 else { throw node.unsupported("weights of dims \(b.dims) (a matrix is expected)") }
        if isGemm, try node.int("transA", default: 0) != 0 { throw node.unsupported("transA=1") }
        let transB = isGemm ? try node.int("transB", default: 0) != 0 : false
        let (features, units) = transB ? (b.dims[1], b.dims[0]) : (b.dims[0], b.dims[1])
        guard features == a.dims[1] else { throw node.error("weights of dims \(b.dims) for \(a.dims[1]) input features") }
        var kernel = transB ? ONNXWeightLayout.transposed(b.floats, rows: b.dims[0], columns: b.dims[1]) : b.floats
        let alpha = isGemm ? try node.float("alpha", default: 1) : 1
        if alpha != 1 { kernel = kernel.map { $0 * alpha } }

        let input: Int
        if a.inONNXOrder == nil, case .flattenedChannelsLast(let h, let w, let c) = a.order {
            kernel = ONNXWeightLayout.rowsFromChannelsFirst(kernel, h: h, w: w, c: c, units: units)
            input = a.node
        } else {
            input = try natural(a, for: node)
        }

        var bias: [Float]? = nil, last = node
        if isGemm, let c = try optionalConstant(node, input: 2) {
            guard c.count == 1 || (c.count == units && c.dims.last == units), c.dims.count <= 2 else {
                throw node.unsupported("bias C of dims \(c.dims) for \(units) units")
            }
            let beta = try node.float("beta", default: 1)
            bias = (c.count == 1 ? [Float](repeating: c.floats[0], count: units) : c.floats).map { $0 * beta }
        } else if let (add, values) = absorbBias(after: node, units: units) {
            (bias, last) = (values, add)
        }
        let (activation, final) = try absorbActivation(after: last, softmax: true)

        var weights = [addWeights(kernel, shape: [features, units])]
        if let bias { weights.append(addWeights(bias, shape: [units])) }
        let op = Operation.dense(DenseAttributes(units: units, useBias: bias != nil, activation: activation))
        let index = try add(op, inputs: [input], weights: weights, for: node)
        bind(final.output, HeldTensor(node: index, dims: [1, units], order: .onnx, source: final.name))
    }

    // MARK: - Helpers

    /// An NCHW result of engine node `index` (shape [H, W, C]).
    func channelsLastTensor(_ index: Int, source: String) -> HeldTensor {
        let s = shapes[index]
        return HeldTensor(node: index, dims: [1, s[2], s[0], s[1]], order: .channelsLast, source: source)
    }

    /// The engine padding of `window`; explicit pads become a `.zeroPadding` node in front of
    /// `input` (which then names it) and `.valid`.
    mutating func padding(_ window: ONNXWindow, input: inout Int, for node: ONNXNode) throws(ModelError) -> Padding {
        switch window.pads {
        case .engine(let padding):
            return padding
        case .explicit(let counts):
            input = try add(.zeroPadding(counts), inputs: [input], for: node, name: "\(node.name)/pad")
            return .valid
        }
    }

    /// The Add that alone reads `node`'s output, adding one constant per unit (or one value):
    /// absorbed as a dense bias.
    mutating func absorbBias(after node: ONNXNode, units: Int) -> (ONNXNode, [Float])? {
        guard let next = soleReader(of: node.output), next.opType == "Add", next.proto.attribute.isEmpty,
              next.proto.input.count == 2 else { return nil }
        let other = next.proto.input[0] == node.output ? next.proto.input[1] : next.proto.input[0]
        guard let c = constantIfAny(other), c.count == units || c.count == 1, c.dims.count <= 2,
              c.dims.dropLast().allSatisfy({ $0 == 1 }) else { return nil }
        absorb(next)
        return (next, c.count == units ? c.floats : [Float](repeating: c.floats[0], count: units))
    }

    /// The activation of the node that alone reads `node`'s output (Relu, Sigmoid, Tanh; and
    /// Softmax over a dense layer's units when `softmax`), absorbed. Returns it with the node
    /// whose output the result stands for; (.linear, node) when there is none.
    mutating func absorbActivation(after node: ONNXNode, softmax: Bool) throws(ModelError) -> (Activation, ONNXNode) {
        guard let next = soleReader(of: node.output), ["", "ai.onnx"].contains(next.proto.domain) else { return (.linear, node) }
        let activation: Activation
        switch next.opType {
        case "Relu" where next.proto.attribute.isEmpty: activation = .relu
        case "Sigmoid" where next.proto.attribute.isEmpty: activation = .sigmoid
        case "Tanh" where next.proto.attribute.isEmpty: activation = .tanh
        case "Softmax" where softmax && next.proto.attribute.allSatisfy({ $0.name == "axis" }):
            guard [1, -1].contains(try next.int("axis", default: opset >= 13 ? -1 : 1)) else { return (.linear, node) }
            activation = .softmax
        default:
            return (.linear, node)
        }
        absorb(next)
        return (activation, next)
    }
}
