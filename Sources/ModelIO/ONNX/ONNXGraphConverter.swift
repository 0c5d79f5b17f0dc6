import Engine

/// A value bound to an ONNX tensor name: a constant (weights, shapes) or a tensor the
/// engine computes.
enum ONNXValue {
    case constant(ONNXConstant)
    case tensor(HeldTensor)
}

/// Walks an ONNX graph in its (topological) node order, binds every ONNX tensor name to an
/// `ONNXValue` and adds engine nodes to a `GraphBuilder`. The operations themselves are in
/// ONNXOperators.swift; layout bookkeeping in ONNXLayout.swift.
///
/// Some ONNX nodes are absorbed by the node before them (a MatMul's bias Add, the Relu
/// after a Conv, the Add after a scaling Mul) when that node is their producer's only
/// reader: the engine then has the same nodes as the Keras model the file came from.
struct ONNXGraphConverter {
    var builder = GraphBuilder()
    /// The engine shape of every node in `builder`.
    private(set) var shapes: [[Int]] = []
    let nodes: [ONNXNode]
    /// The default-domain opset the model imports (defaults of a few attributes changed).
    let opset: Int
    private var values: [String: ONNXValue] = [:]
    /// ONNX node indices that read each tensor name.
    private let readers: [String: [Int]]
    private let graphOutputs: Set<String>
    /// ONNX nodes already converted as part of an earlier node.
    private var absorbed: Set<Int> = []
    /// Reshape/flatten nodes made so far, by (source node, shape): a view is materialised once.
    private var materialized: [[Int]: Int] = [:]
    private let graph: Onnx_GraphProto

    init(graph: Onnx_GraphProto, opset: Int) throws(ModelError) {
        self.graph = graph
        self.opset = opset
        builder.name = graph.name.isEmpty ? "onnx" : graph.name
        nodes = graph.node.enumerated().map { ONNXNode(proto: $1, index: $0) }
        var readers: [String: [Int]] = [:]
        for node in nodes {
            for input in Set(node.proto.input) where !input.isEmpty { readers[input, default: []].append(node.index) }
        }
        self.readers = readers
        graphOutputs = Set(graph.output.map(\.name))
        for initializer in graph.initializer {
            values[initializer.name] = .constant(try ONNXConstant(initializer))
        }
    }

    /// Converts the whole graph; returns the engine node that holds the model's output.
    mutating func convert() throws(ModelError) -> Int {
        try addInput()
        for node in nodes where !absorbed.contains(node.index) {
            if !["", "ai.onnx"].contains(node.proto.domain) {
                throw node.error("unsupported op type \(node.proto.domain).\(node.opType)")
            }
            try convert(node)
        }
        return try outputNode()
    }

    // MARK: - Model input and output

    /// Node 0: the one graph input that is not an initializer, a 4-D image tensor. NHWC
    /// (tf2onnx from Keras) when its last dim is 1 or 3 channels, else NCHW when its second is.
    private mutating func addInput() throws(ModelError) {
        let inputs = graph.input.filter { values[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw ModelError("the graph has \(inputs.count) inputs (\(inputs.map(\.name))); one image input is supported")
        }
        let dims = input.type.tensorType.shape.dim.map { dim -> Int? in
            if case .dimValue(let v)? = dim.value, v > 0 { return Int(v) }
            return nil
        }
        guard dims.count == 4, dims.dropFirst().allSatisfy({ $0 != nil }), [nil, 1].contains(dims[0]) else {
            throw ModelError("input '\(input.name)': shape \(dims.map { $0.map(String.init) ?? "?" }) is not a fixed [batch, height, width, channels] image (or [batch, channels, height, width])")
        }
        let (a, b, c) = (dims[1]!, dims[2]!, dims[3]!)
        let order: HeldTensor.Order, shape: [Int]
        if [1, 3].contains(c) {
            (order, shape) = (.onnx, [a, b, c])
        } else if [1, 3].contains(a) {
            (order, shape) = (.channelsLast, [b, c, a])
        } else {
            throw ModelError("input '\(input.name)': shape [?, \(a), \(b), \(c)] has neither 1 nor 3 channels first or last; images give 1 (grey) or 3 (RGB)")
        }
        _ = builder.add(Node(name: input.name, sourceClass: "Input", op: .input(shape: shape), inputs: []))
        shapes.append(shape)
        let tensor = HeldTensor(node: 0, dims: [1, a, b, c], order: order, source: input.name)
        values[input.name] = .tensor(tensor)
    }

    /// The engine node holding the (single) graph output in ONNX's element order.
    private mutating func outputNode() throws(ModelError) -> Int {
        guard graph.output.count == 1, let name = graph.output.first?.name else {
            throw ModelError("the graph has \(graph.output.count) outputs; one is supported")
        }
        guard case .tensor(let tensor)? = values[name] else {
            throw ModelError("output '\(name)' is not computed from the input")
        }
        guard let ordered = tensor.inONNXOrder, let shape = HeldTensor.naturalShape(ordered.dims) else {
            throw ModelError("output '\(name)' with dims \(tensor.dims) cannot be given in ONNX's element order; a [batch, classes] output is supported")
        }
        return try materialize(ordered, as: shape)
    }

    // MARK: - Values

    mutating func bind(_ name: String, to value: ONNXValue) { values[name] = value }
    mutating func bind(_ name: String, _ tensor: HeldTensor) { values[name] = .tensor(tensor) }

    func value(_ name: String, for node: ONNXNode) throws(ModelError) -> ONNXValue {
        guard let value = values[name] else { throw node.error("reads '\(name)', which no earlier node or initializer produces") }
        return value
    }

    func tensor(_ name: String, for node: ONNXNode) throws(ModelError) -> HeldTensor {
        guard case .tensor(let tensor) = try value(name, for: node) else {
            throw node.unsupported("constant input '\(name)' where a computed tensor is expected")
        }
        return tensor
    }

    func constant(_ name: String, for node: ONNXNode) throws(ModelError) -> ONNXConstant {
        guard case .constant(let constant) = try value(name, for: node) else {
            throw node.unsupported("computed input '\(name)' where a constant (weights, shape) is expected")
        }
        return constant
    }

    /// The constant bound to `name`, if it is one (for peeking at a node before absorbing it).
    func constantIfAny(_ name: String) -> ONNXConstant? {
        if case .constant(let constant)? = values[name] { return constant }
        return nil
    }

    /// An integer list given as an attribute (older opsets) or as a constant input (newer ones); nil if neither.
    func integers(_ node: ONNXNode, attribute: String, input position: Int) throws(ModelError) -> [Int]? {
        if let fromAttribute = try node.ints(attribute) { return fromAttribute }
        return try optionalConstant(node, input: position)?.integers(for: node)
    }

    /// Whether any node or the graph output reads `tensor` (for outputs the reader ignores, e.g. masks).
    func isRead(_ tensor: String) -> Bool { readers[tensor] != nil || graphOutputs.contains(tensor) }

    /// The constant input at `position`, or nil if it is absent.
    func optionalConstant(_ node: ONNXNode, input position: Int) throws(ModelError) -> ONNXConstant? {
        guard let name = node.input(position) else { return nil }
        return try constant(name, for: node)
    }

    // MARK: - Absorbing the next node

    /// The node that alone reads `tensor`, if the tensor is not also a graph output: it may
    /// be absorbed into the node that makes `tensor`.
    func soleReader(of tensor: String) -> ONNXNode? {
        guard !graphOutputs.contains(tensor), let list = readers[tensor], list.count == 1 else { return nil }
        return nodes[list[0]]
    }

    /// Marks `node` as converted by an earlier node.
    mutating func absorb(_ node: ONNXNode) { absorbed.insert(node.index) }

    // MARK: - Engine nodes

    /// Adds an engine node for `onnx` and infers its shape; shape errors name the ONNX node.
    mutating func add(_ op: Operation, inputs: [Int], weights: [WeightRef] = [], for onnx: ONNXNode,
                      name: String? = nil) throws(ModelError) -> Int {
        try append(Node(name: name ?? onnx.name, sourceClass: onnx.opType, op: op, inputs: inputs, weights: weights))
    }

    /// Appends `node` to the builder with its inferred shape. (Inference reruns over the whole
    /// graph so far: quadratic, but a few hundred nodes take well under a millisecond.)
    private mutating func append(_ node: Node) throws(ModelError) -> Int {
        let index = builder.add(node)
        do {
            let graph = Graph(name: builder.name, nodes: builder.nodes, output: index)
            shapes.append(try ShapeInference.shapes(of: graph, weightCount: builder.weights.count)[index])
        } catch {
            throw ModelError(error.message)   // GraphError names the node and its op type
        }
        return index
    }

    mutating func addWeights(_ values: [Float], shape: [Int]) -> WeightRef { builder.addWeights(values, shape: shape) }

    /// The engine node holding ONNX-ordered `tensor` in engine shape `shape`: its own node,
    /// or one `.flatten`/`.reshape` of it.
    mutating func materialize(_ tensor: HeldTensor, as shape: [Int]) throws(ModelError) -> Int {
        precondition(tensor.order == .onnx)
        return try reshapeNode(tensor.node, to: shape, name: tensor.source)
    }

    /// Engine node `node` in engine shape `shape` (same element count and order): itself, or a
    /// `.flatten`/`.reshape` of it, made once per (node, shape).
    mutating func reshapeNode(_ node: Int, to shape: [Int], name: String) throws(ModelError) -> Int {
        if shapes[node] == shape { return node }
        if let made = materialized[[node] + shape] { return made }
        let flat = shape.count == 1
        let index = try append(Node(name: name, sourceClass: flat ? "Flatten" : "Reshape", op: flat ? .flatten : .reshape(shape), inputs: [node]))
        materialized[[node] + shape] = index
        return index
    }

    /// The engine node holding `tensor` in its natural engine shape ([F] or [H, W, C] of an
    /// ONNX-ordered [1, F] or [1, H, W, C]); `node` is the reader, for errors.
    mutating func natural(_ tensor: HeldTensor, for node: ONNXNode) throws(ModelError) -> Int {
        guard let ordered = tensor.inONNXOrder else {
            throw node.unsupported("input '\(tensor.source)' held channels-last where ONNX's element order is needed (a Transpose between NCHW and NHWC that moves data)")
        }
        guard let shape = HeldTensor.naturalShape(ordered.dims) else {
            throw node.unsupported("input of rank \(tensor.rank) (dims \(tensor.dims)); the engine holds [batch, features] or 4-D tensors")
        }
        return try materialize(ordered, as: shape)
    }

    /// The engine node holding NCHW `tensor` as [H, W, C], for the operations that ONNX
    /// defines on NCHW (Conv, pooling, Pad, BatchNormalization, ...).
    mutating func spatial(_ tensor: HeldTensor, for node: ONNXNode) throws(ModelError) -> Int {
        guard tensor.rank == 4 else { throw node.unsupported("input of rank \(tensor.rank) (dims \(tensor.dims)); expects NCHW") }
        if tensor.order == .channelsLast { return tensor.node }
        // An NHWC-ordered tensor whose NCHW reading moves no data (one channel, or 1x1).
        guard tensor.order == .onnx, tensor.dims[1] == 1 || tensor.dims[2] * tensor.dims[3] == 1 else {
            throw node.unsupported("input '\(tensor.source)' of dims \(tensor.dims) that is not NCHW in the engine (no Transpose to NCHW before it)")
        }
        return try materialize(tensor, as: HeldTensor.channelsLastShape(tensor.dims))
    }
}
