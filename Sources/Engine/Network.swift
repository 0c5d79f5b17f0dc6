/// A model ready to run: kernels planned, weights repacked, buffers allocated once.
///
/// Spatial layers (and everything they feed that is not part of the flat tail) run one
/// image at a time, so a batch holds one image's activations for them; the tail runs on the
/// whole batch, layer after layer, so each weight panel is read once per batch: the flat
/// layers (Dense and its activations) and, with Options.batchTail, the spatial layers at the
/// end whose weights outweigh an image's tensors (NetworkPlan). Every image's numbers are
/// computed the same way whatever the batch size or its position in the batch. One Network
/// per thread.
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
        let plan = NetworkPlan(graph: graph, shapes: shapes, fuse: options.fuseLayers, fastKernels: options.fastKernels,
                               bands: options.bandedBlocks, batchTail: options.batchTail)
        let buffers = NetworkBuffers(graph: graph, shapes: shapes, plan: plan, batchSize: batchSize)
        storage = buffers.storage
        bridges = buffers.bridges

        let steps = try model.weights.withUnsafeBufferPointer { (weights) throws(GraphError) in
            var builder = StepBuilder(graph: graph, shapes: shapes, plan: plan, buffers: buffers, options: options, weights: weights)
            try builder.addSteps()
            return builder
        }
        perImageSteps = steps.perImageSteps
        copiesInput = steps.copiesInput
        batchSteps = steps.batchSteps
    }

    /// Runs `count` images (at most batchSize), each inputShape floats after the other,
    /// and writes count x outputCount floats to `outputs`. `between` runs after each image's
    /// per-image layers and after each batch step, so a caller can answer MPI while a long
    /// batch is in progress.
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
            for step in batchSteps {
                step.run(count)
                try between()
            }
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

    /// Operations with a convolution kernel among their weights.
    var isConvolution: Bool {
        switch self {
        case .conv2D, .depthwiseConv2D: return true
        default: return false
        }
    }
}
