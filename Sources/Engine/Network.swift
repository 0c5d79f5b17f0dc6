/// A model ready to run: kernels planned, weights repacked, buffers allocated once.
///
/// Spatial layers (and the Flatten that ends them) run one image at a time, so a
/// batch never holds more than one image's activations; the flat tail (Dense and
/// its activations) runs on the whole batch, so each weight panel is read once per
/// batch. Every image's numbers are computed the same way whatever the batch size
/// or its position in the batch. One Network per thread.
public final class Network {
    public let graph: Graph
    public let batchSize: Int
    public let inputShape: [Int]
    public let outputCount: Int
    /// Output shape of every node, for tests and messages.
    public let shapes: [[Int]]

    let storage: [FloatBuffer]          // per node; flat-tail nodes hold a whole batch
    let perImageSteps: [() -> Void]
    let batchSteps: [(Int) -> Void]
    let perImageStepNames: [String]
    let batchStepNames: [String]
    private let bridges: [(node: Int, count: Int)]   // per-image outputs copied into batch rows

    /// `fuse` lets a convolution and the 2x2 max pooling after it run as one step (the
    /// convolution's own output is then never stored) and lets 3x3 convolutions use
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

        // Phase of each node: per image if it touches a spatial tensor, else batched.
        let nodes = graph.nodes
        let perImage = nodes.indices.map { i in shapes[i].count == 3 || nodes[i].inputs.contains { shapes[$0].count == 3 } || i == 0 }
        for (i, node) in nodes.enumerated() where perImage[i] && node.inputs.contains(where: { !perImage[$0] }) {
            throw GraphError(node: node, "a spatial layer after the flat part of the model is not supported")
        }
        var consumedByBatch = Set<Int>([graph.output])
        for (i, node) in nodes.enumerated() where !perImage[i] { consumedByBatch.formUnion(node.inputs) }
        bridges = nodes.indices.filter { perImage[$0] && consumedByBatch.contains($0) }.map { ($0, shapes[$0].reduce(1, *)) }

        let fusedPools = fuse ? Self.fusablePools(graph, shapes) : [:]
        let fusedConvolutions = Set(fusedPools.values)
        var storage: [FloatBuffer] = []
        var batchStorage: [Int: FloatBuffer] = [:]
        for i in nodes.indices {
            let count = shapes[i].reduce(1, *)
            if fusedConvolutions.contains(i) {
                storage.append(FloatBuffer(count: 1))   // computed inside the pooling step, never stored
            } else if perImage[i], nodes[i].op.isCopy, let source = nodes[i].inputs.first, perImage[source] {
                storage.append(storage[source])   // Flatten and Dropout on one image: the same floats
            } else {
                storage.append(FloatBuffer(count: perImage[i] ? count : count * batchSize))
            }
            if perImage[i] && consumedByBatch.contains(i) { batchStorage[i] = FloatBuffer(count: count * batchSize) }
        }
        // Batched nodes read a bridge's batch copy instead of its one-image buffer.
        let batchView = { (i: Int) -> FloatBuffer in batchStorage[i] ?? storage[i] }
        self.storage = nodes.indices.map { batchStorage[$0] ?? storage[$0] }

        var perImageSteps: [() -> Void] = []
        var batchSteps: [(Int) -> Void] = []
        var perImageStepNames: [String] = [], batchStepNames: [String] = []
        func weights(of node: Node) -> [FloatBuffer] {
            node.weights.map { ref in model.weights.withUnsafeBufferPointer { FloatBuffer(Array($0[ref.offset..<(ref.offset + ref.count)])) } }
        }
        for (i, node) in nodes.enumerated() where i > 0 && !fusedConvolutions.contains(i) {
            if let conv = fusedPools[i] {
                let convNode = nodes[conv]
                perImageSteps.append(try Self.convolutionStep(convNode, output: storage[i], input: storage[convNode.inputs[0]],
                                                              inputShape: shapes[convNode.inputs[0]], convolutionShape: shapes[conv],
                                                              weights: weights(of: convNode), maxPool2x2: true, winograd: fuse))
                perImageStepNames.append("\(convNode.name)+\(node.name)")
                continue
            }
            let weights = weights(of: node)
            if perImage[i] {
                if let step = try Self.perImageStep(node, output: storage[i], inputs: node.inputs.map { storage[$0] },
                                                    inputShapes: node.inputs.map { shapes[$0] }, outputShape: shapes[i], weights: weights,
                                                    winograd: fuse) {
                    perImageSteps.append(step)
                    perImageStepNames.append(node.name)
                }
            } else {
                batchSteps.append(try Self.batchStep(node, output: storage[i], inputs: node.inputs.map(batchView),
                                                     inputShapes: node.inputs.map { shapes[$0] }, outputShape: shapes[i], weights: weights))
                batchStepNames.append(node.name)
            }
        }
        self.perImageSteps = perImageSteps
        self.batchSteps = batchSteps
        self.perImageStepNames = perImageStepNames
        self.batchStepNames = batchStepNames
        self.bridgeSources = bridges.map { storage[$0.node] }
        self.bridgeTargets = bridges.map { batchStorage[$0.node]! }
    }

    private let bridgeSources: [FloatBuffer]
    private let bridgeTargets: [FloatBuffer]

    /// Runs `count` images (at most batchSize), each inputShape floats after the other,
    /// and writes count x outputCount floats to `outputs`.
    public func predict(_ inputs: UnsafePointer<Float>, count: Int, into outputs: UnsafeMutablePointer<Float>) {
        precondition(count <= batchSize)
        let inputCount = storage[0].count
        for n in 0..<count {
            storage[0].pointer.update(from: inputs + n * inputCount, count: inputCount)
            for step in perImageSteps { step() }
            for (b, bridge) in bridges.enumerated() {
                (bridgeTargets[b].pointer + n * bridge.count).update(from: bridgeSources[b].pointer, count: bridge.count)
            }
        }
        for step in batchSteps { step(count) }
        outputs.update(from: storage[graph.output].pointer, count: count * outputCount)
    }

    /// Convenience for tests and small jobs: one array in, one array out.
    public func predict(_ inputs: [Float]) -> [Float] {
        let count = inputs.count / inputShape.reduce(1, *)
        var result = [Float](repeating: 0, count: count * outputCount)
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            inputs.withUnsafeBufferPointer { i in
                result.withUnsafeMutableBufferPointer { o in
                    predict(i.baseAddress! + start * inputShape.reduce(1, *), count: n, into: o.baseAddress! + start * outputCount)
                }
            }
            start += n
        }
        return result
    }

    /// The output of every node for one image, for comparing layer by layer.
    public func layerOutputs(_ input: [Float]) -> [[Float]] {
        var ignored = [Float](repeating: 0, count: outputCount)
        input.withUnsafeBufferPointer { i in ignored.withUnsafeMutableBufferPointer { predict(i.baseAddress!, count: 1, into: $0.baseAddress!) } }
        return graph.nodes.indices.map { Array(storage[$0].array.prefix(shapes[$0].reduce(1, *))) }
    }
}

extension Network {
    /// Pooling node -> the convolution it can absorb: a 2x2, stride-2, valid max pooling whose
    /// only input is a convolution (linear or ReLU) that nothing else reads.
    static func fusablePools(_ graph: Graph, _ shapes: [[Int]]) -> [Int: Int] {
        var readers = [Int](repeating: 0, count: graph.nodes.count)
        for node in graph.nodes { for input in node.inputs { readers[input] += 1 } }
        readers[graph.output] += 1
        var result: [Int: Int] = [:]
        for (i, node) in graph.nodes.enumerated() {
            guard case .pool(let p) = node.op, p.kind == .max, p.size == [2, 2], p.strides == [2, 2], p.padding == .valid,
                  let conv = node.inputs.first, readers[conv] == 1,
                  case .conv2D(let c) = graph.nodes[conv].op, c.activation == .relu || c.activation == .linear else { continue }
            result[i] = conv
        }
        return result
    }
}

extension Operation {
    /// Operations whose output is their input's floats unchanged.
    var isCopy: Bool {
        switch self {
        case .flatten, .identity: return true
        default: return false
        }
    }
}
