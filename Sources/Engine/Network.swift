/// A model ready to run: kernels planned, weights repacked, buffers allocated once.
///
/// Spatial layers (and everything they feed that is not part of the flat tail) run one
/// image at a time, so a batch never holds more than one image's activations; the flat
/// tail (Dense and its activations) runs on the whole batch, so each weight panel is read
/// once per batch. Every image's numbers are computed the same way whatever the batch
/// size or its position in the batch. One Network per thread.
public final class Network {
    public let graph: Graph
    public let batchSize: Int
    public let inputShape: [Int]
    public let outputCount: Int
    /// Output shape of every node, for tests and messages.
    public let shapes: [[Int]]

    let storage: [FloatBuffer]          // per node; batch-tail nodes and bridges hold a whole batch
    /// Each takes the image's input (chains that read the network input read it in place).
    let perImageSteps: [(UnsafePointer<Float>) -> Void]
    /// Whether a step reads the input from node 0's buffer, so each image is copied there.
    let copiesInput: Bool
    let batchSteps: [(Int) -> Void]
    let perImageStepNames: [String]
    let batchStepNames: [String]
    private let bridges: [(source: FloatBuffer, target: FloatBuffer, count: Int)]

    /// `fuse` lets a convolution absorb the batch norm, clamp activation and 2x2 max pooling
    /// after it (those outputs are then never stored) and lets 3x3 convolutions use
    /// Winograd's algorithm; off, every node's output is kept and computed directly.
    public init(model: Model, batchSize: Int, fuse: Bool = true) throws(GraphError) {
        precondition(batchSize > 0)
        let graph = model.graph
        let shapes = try ShapeInference.shapes(of: graph, weightCount: model.weights.count)
        self.graph = graph
        self.batchSize = batchSize
        self.shapes = shapes
        inputShape = shapes[0]
        outputCount = shapes[graph.output].reduce(1, *)
        let nodes = graph.nodes
        let plan = NetworkPlan(graph: graph, shapes: shapes, fuse: fuse)
        let perImage = plan.perImage

        // Per-image outputs that the batch steps (or the caller) read are copied into a
        // batch-sized buffer after each image: the bridges.
        var readByBatch = Set<Int>([graph.output])
        for (i, node) in nodes.enumerated() where !perImage[i] { readByBatch.formUnion(node.inputs) }
        var imageStorage: [FloatBuffer] = []
        var batchStorage: [Int: FloatBuffer] = [:]
        for i in nodes.indices {
            let count = shapes[i].reduce(1, *)
            if plan.absorbed.contains(i) {
                imageStorage.append(FloatBuffer(count: 1))   // computed inside a chain, never stored
            } else if perImage[i], nodes[i].op.isCopy, let source = nodes[i].inputs.first, perImage[source], !plan.absorbed.contains(source) {
                imageStorage.append(imageStorage[source])    // Flatten, Reshape, Dropout: the same floats
            } else {
                imageStorage.append(FloatBuffer(count: perImage[i] ? count : count * batchSize))
            }
            if perImage[i] && readByBatch.contains(i) { batchStorage[i] = FloatBuffer(count: count * batchSize) }
        }
        storage = nodes.indices.map { batchStorage[$0] ?? imageStorage[$0] }
        bridges = batchStorage.keys.sorted().map { (imageStorage[$0], batchStorage[$0]!, shapes[$0].reduce(1, *)) }

        // Every step reads its weights in place from the model's array while it is built;
        // the kernels keep their own (repacked, or batch-norm folded) copies.
        var perImageSteps: [(UnsafePointer<Float>) -> Void] = [], batchSteps: [(Int) -> Void] = []
        // A chain that reads the input's floats (node 0 or an alias of it: Flatten, Reshape)
        // reads each image in place; any other reader needs them copied into node 0's buffer.
        let networkInput = imageStorage[0]
        var copiesInput = bridges.contains { $0.source === networkInput }
        var perImageStepNames: [String] = [], batchStepNames: [String] = []
        try model.weights.withUnsafeBufferPointer { (all) throws(GraphError) in
            func weights(of node: Node) -> [UnsafeBufferPointer<Float>] {
                node.weights.map { UnsafeBufferPointer(rebasing: all[$0.offset..<($0.offset + $0.count)]) }
            }
            for (i, node) in nodes.enumerated() where i > 0 && !plan.absorbed.contains(i) {
                if let chain = plan.chains[i] {
                    let conv = nodes[chain.convolution]
                    let bn = chain.batchNorm.map { nodes[$0] }
                    let source = chain.zeroPadding.map { nodes[$0].inputs[0] } ?? conv.inputs[0]
                    var padding: [Int]? = nil
                    if let pad = chain.zeroPadding, case .zeroPadding(let p) = nodes[pad].op { padding = p }
                    let step = try Self.chainStep(chain, conv: conv, convWeights: weights(of: conv), batchNorm: bn,
                                                  batchNormWeights: bn.map(weights) ?? [], output: imageStorage[i],
                                                  inputShape: shapes[source], zeroPadding: padding,
                                                  convolutionShape: shapes[chain.convolution], winograd: fuse)
                    let stored = UnsafePointer(imageStorage[source].pointer)
                    perImageSteps.append(imageStorage[source] === networkInput ? step : { _ in step(stored) })
                    perImageStepNames.append(([chain.zeroPadding, chain.convolution, chain.batchNorm, chain.clampNode, chain.pool].compactMap { $0 }.map { nodes[$0].name }).joined(separator: "+"))
                } else if perImage[i] {
                    if let step = try Self.step(node, output: imageStorage[i], inputs: node.inputs.map { imageStorage[$0] },
                                                inputShapes: node.inputs.map { shapes[$0] }, outputShape: shapes[i],
                                                weights: weights(of: node), winograd: fuse) {
                        perImageSteps.append({ _ in step(1) })
                        if node.inputs.contains(where: { imageStorage[$0] === networkInput }) { copiesInput = true }
                        perImageStepNames.append(node.name)
                    }
                } else {
                    let step = try Self.step(node, output: imageStorage[i], inputs: node.inputs.map { batchStorage[$0] ?? imageStorage[$0] },
                                             inputShapes: node.inputs.map { shapes[$0] }, outputShape: shapes[i],
                                             weights: weights(of: node), winograd: fuse)
                    batchSteps.append(step ?? { _ in })
                    batchStepNames.append(node.name)
                }
            }
        }
        self.perImageSteps = perImageSteps
        self.copiesInput = copiesInput
        self.batchSteps = batchSteps
        self.perImageStepNames = perImageStepNames
        self.batchStepNames = batchStepNames
    }

    /// Runs `count` images (at most batchSize), each inputShape floats after the other,
    /// and writes count x outputCount floats to `outputs`. `between` runs after each image's
    /// spatial layers, so a caller can answer MPI while a long batch is in progress.
    /// Subnormal floats are flushed to zero meanwhile, as in TensorFlow (FloatMode.swift).
    public func predict(_ inputs: UnsafePointer<Float>, count: Int, into outputs: UnsafeMutablePointer<Float>,
                        between: () throws -> Void) rethrows {
        precondition(count <= batchSize)
        let inputCount = inputShape.reduce(1, *)
        let input = bridges.first { $0.target === storage[0] }?.source ?? storage[0]
        try withSubnormalsFlushed {
            for n in 0..<count {
                let image = inputs + n * inputCount
                if copiesInput { input.pointer.update(from: image, count: inputCount) }
                for step in perImageSteps { step(image) }
                for bridge in bridges { (bridge.target.pointer + n * bridge.count).update(from: bridge.source.pointer, count: bridge.count) }
                try between()
            }
            for step in batchSteps { step(count) }
        }
        outputs.update(from: storage[graph.output].pointer, count: count * outputCount)
    }

    public func predict(_ inputs: UnsafePointer<Float>, count: Int, into outputs: UnsafeMutablePointer<Float>) {
        predict(inputs, count: count, into: outputs, between: {})
    }

    /// Convenience for tests and small jobs: one array in, one array out.
    public func predict(_ inputs: [Float]) -> [Float] {
        let inputCount = inputShape.reduce(1, *)
        let count = inputs.count / inputCount
        var result = [Float](repeating: 0, count: count * outputCount)
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            inputs.withUnsafeBufferPointer { i in
                result.withUnsafeMutableBufferPointer { o in
                    predict(i.baseAddress! + start * inputCount, count: n, into: o.baseAddress! + start * outputCount, between: {})
                }
            }
            start += n
        }
        return result
    }

    /// The output of every node for one image, for comparing layer by layer (build the
    /// network with fuse: false, or absorbed nodes have no output of their own).
    public func layerOutputs(_ input: [Float]) -> [[Float]] {
        var ignored = [Float](repeating: 0, count: outputCount)
        input.withUnsafeBufferPointer { i in ignored.withUnsafeMutableBufferPointer { predict(i.baseAddress!, count: 1, into: $0.baseAddress!, between: {}) } }
        return graph.nodes.indices.map { $0 == 0 ? input : Array(storage[$0].array.prefix(shapes[$0].reduce(1, *))) }
    }
}

extension Operation {
    /// Operations whose output is their input's floats unchanged.
    var isCopy: Bool {
        switch self {
        case .flatten, .identity, .reshape: return true
        default: return false
        }
    }
}
