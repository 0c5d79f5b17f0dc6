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
    let perImageSteps: [NetworkStep<UnsafePointer<Float>>]
    /// Whether a step reads the input from node 0's buffer, so each image is copied there.
    let copiesInput: Bool
    let batchSteps: [NetworkStep<Int>]
    private let bridges: [(source: FloatBuffer, target: FloatBuffer, count: Int)]

    /// `fuse` on is Options.fastest, off Options.plain (every node's output kept and
    /// computed directly).
    public convenience init(model: Model, batchSize: Int, fuse: Bool = true) throws(GraphError) {
        try self.init(model: model, batchSize: batchSize, options: fuse ? .fastest : .plain)
    }

    public init(model: Model, batchSize: Int, options: Options) throws(GraphError) {
        precondition(batchSize > 0)
        let graph = model.graph
        let shapes = try ShapeInference.shapes(of: graph, weightCount: model.weights.count)
        self.graph = graph
        self.batchSize = batchSize
        self.shapes = shapes
        inputShape = shapes[0]
        outputCount = shapes[graph.output].reduce(1, *)
        let plan = NetworkPlan(graph: graph, shapes: shapes, fuse: options.fuseLayers)
        let buffers = NetworkBuffers(graph: graph, shapes: shapes, plan: plan, batchSize: batchSize)
        storage = buffers.storage
        bridges = buffers.bridges

        // Every step reads its weights in place from the model's array while it is built;
        // the kernels keep their own (repacked, or batch-norm folded) copies.
        let nodes = graph.nodes
        let image = buffers.image, batch = buffers.batch
        var perImageSteps: [NetworkStep<UnsafePointer<Float>>] = [], batchSteps: [NetworkStep<Int>] = []
        // A chain that reads the input's floats (node 0 or an alias of it: Flatten, Reshape)
        // reads each image in place; any other reader needs them copied into node 0's buffer.
        let networkInput = image[0]
        var copiesInput = bridges.contains { $0.source === networkInput }
        try model.weights.withUnsafeBufferPointer { (all) throws(GraphError) in
            func weights(of node: Node) -> [UnsafeBufferPointer<Float>] {
                node.weights.map { UnsafeBufferPointer(rebasing: all[$0.offset..<($0.offset + $0.count)]) }
            }
            for (i, node) in nodes.enumerated() where i > 0 && !plan.absorbed.contains(i) {
                let name: String
                let inputs = node.inputs.map { plan.perImage[i] ? image[$0] : batch[$0] ?? image[$0] }
                let inputShapes = node.inputs.map { shapes[$0] }
                if let chain = plan.chains[i] {
                    name = [chain.zeroPadding, chain.convolution, chain.batchNorm, chain.clampNode, chain.pool, chain.add].compactMap { $0 }.map { nodes[$0].name }.joined(separator: "+")
                    let conv = nodes[chain.convolution]
                    let bn = chain.batchNorm.map { nodes[$0] }
                    let source = chain.zeroPadding.map { nodes[$0].inputs[0] } ?? conv.inputs[0]
                    var padding: [Int]? = nil
                    if let pad = chain.zeroPadding, case .zeroPadding(let p) = nodes[pad].op { padding = p }
                    let step = try Self.convolutionStep(conv, convWeights: weights(of: conv), batchNorm: bn.map { ($0, weights(of: $0)) },
                                                        clamp: chain.clampNode != nil ? chain.clamp : nil, pools: chain.pool != nil,
                                                        output: image[i], inputShape: shapes[source], zeroPadding: padding,
                                                        convolutionShape: shapes[chain.convolution], residual: chain.residual.map { UnsafePointer(image[$0].pointer) },
                                                        fastKernels: options.fastKernels)
                    // A residual read from the network input needs the image copied there.
                    if let residual = chain.residual, image[residual] === networkInput { copiesInput = true }
                    let stored = UnsafePointer(image[source].pointer)
                    let run = step.run
                    perImageSteps.append(NetworkStep(name: name, kernel: step.kernel, run: image[source] === networkInput ? run : { _ in run(stored) }))
                } else if let step = try Self.step(node, output: image[i], inputs: inputs, inputShapes: inputShapes, outputShape: shapes[i],
                                                   weights: weights(of: node), fastKernels: options.fastKernels) {
                    if plan.perImage[i] {
                        let run = step.run
                        perImageSteps.append(NetworkStep(name: node.name, kernel: step.kernel, run: { _ in run(1) }))
                        if node.inputs.contains(where: { image[$0] === networkInput }) { copiesInput = true }
                    } else {
                        batchSteps.append(NetworkStep(name: node.name, kernel: step.kernel, run: step.run))
                    }
                } else if !plan.perImage[i] {
                    batchSteps.append(NetworkStep(name: node.name, kernel: "none (same floats)", run: { _ in }))
                }
            }
        }
        self.perImageSteps = perImageSteps
        self.copiesInput = copiesInput
        self.batchSteps = batchSteps
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
                for step in perImageSteps { step.run(image) }
                for bridge in bridges { (bridge.target.pointer + n * bridge.count).update(from: bridge.source.pointer, count: bridge.count) }
                try between()
            }
            for step in batchSteps { step.run(count) }
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
