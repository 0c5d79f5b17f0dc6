/// Turns a planned graph into the steps a Network runs, node by node: an inverted residual
/// block in bands, a convolution chain, or one layer; per image or on the whole batch.
///
/// Every step reads its weights in place from the model's array while it is built (the
/// builder lives only as long as that pointer); the kernels keep their own repacked or
/// batch-norm folded copies.
struct StepBuilder {
    private(set) var perImageSteps: [NetworkStep<UnsafePointer<Float>>] = []
    private(set) var batchSteps: [NetworkStep<Int>] = []
    /// Whether a step reads the input from node 0's buffer, so each image is copied there.
    /// A chain that reads the network input (node 0 or an alias of it: Flatten, Reshape)
    /// reads each image in place instead.
    private(set) var copiesInput: Bool

    private let nodes: [Node]
    private let shapes: [[Int]]
    private let plan: NetworkPlan
    private let image: [FloatBuffer]
    private let batch: [Int: FloatBuffer]
    private let networkInput: FloatBuffer
    private let options: Network.Options
    private let weights: UnsafeBufferPointer<Float>

    init(graph: Graph, shapes: [[Int]], plan: NetworkPlan, buffers: NetworkBuffers, options: Network.Options,
         weights: UnsafeBufferPointer<Float>) {
        nodes = graph.nodes
        self.shapes = shapes
        self.plan = plan
        image = buffers.image
        batch = buffers.batch
        networkInput = buffers.image[0]
        self.options = options
        self.weights = weights
        copiesInput = buffers.bridges.contains { $0.source === buffers.image[0] }
    }

    mutating func addSteps() throws(GraphError) {
        for i in nodes.indices where i > 0 && !plan.absorbed.contains(i) { try addStep(for: i) }
    }

    private mutating func addStep(for i: Int) throws(GraphError) {
        if let block = plan.blocks[i] {
            let (expand, source) = try layer(of: block.expand)
            let residual = block.project.residual
            let step = Network.blockStep(expand: expand, depthwise: try layer(of: block.depthwise).layer, project: try layer(of: block.project).layer,
                                         addsResidual: residual != nil, bandBytes: options.bandBytes)
            // Nine layers: the first and the last name the block.
            let names = members(of: block.expand) + members(of: block.project)
            addStep(writing: i, reading: source, residual: residual, name: "\(names.first!)..\(names.last!)", step)
        } else if let chain = plan.chains[i] {
            let (layer, source) = try layer(of: chain)
            let step = Network.convolutionStep(layer, pools: chain.pool != nil, addsResidual: chain.residual != nil, fastKernels: options.fastKernels)
            addStep(writing: i, reading: source, residual: chain.residual, name: members(of: chain).joined(separator: "+"), step)
        } else {
            let node = nodes[i]
            let inputs = node.inputs.map { plan.perImage[i] ? image[$0] : batchBuffer($0) }
            let step = try Network.step(node, output: image[i], inputs: inputs, inputShapes: node.inputs.map { shapes[$0] }, outputShape: shapes[i],
                                        weights: weights(of: node), fastKernels: options.fastKernels)
            if plan.perImage[i] {
                guard let step else { return }
                let run = step.run
                perImageSteps.append(NetworkStep(name: node.name, kernel: step.kernel, run: { _ in run(1) }))
                if node.inputs.contains(where: { image[$0] === networkInput }) { copiesInput = true }
            } else {
                // Batch steps are listed even when they have nothing to do, so engine-bench shows them.
                batchSteps.append(NetworkStep(name: node.name, kernel: step?.kernel ?? "none (same floats)", run: step?.run ?? { _ in }))
            }
        }
    }

    /// The step of a chain or block that writes node i from node `source` (and adds node
    /// `residual`). Per image, it reads the network input in place where that is its source;
    /// in the batch tail, it runs on each image of the batch in turn.
    private mutating func addStep(writing i: Int, reading source: Int, residual: Int?, name: String,
                                  _ step: (run: Network.ConvolutionRun, kernel: String)) {
        let run = step.run, out = image[i].pointer
        guard plan.perImage[i] else {
            let inp = UnsafePointer(batchBuffer(source).pointer), added = residual.map { UnsafePointer(batchBuffer($0).pointer) }
            let (outCount, inCount) = (shapes[i].reduce(1, *), shapes[source].reduce(1, *))
            batchSteps.append(NetworkStep(name: name, kernel: step.kernel, run: { rows in
                for n in 0..<rows { run(out + n * outCount, inp + n * inCount, added.map { $0 + n * outCount }) }
            }))
            return
        }
        // A residual read from the network input needs the image copied there.
        if let residual, image[residual] === networkInput { copiesInput = true }
        let stored = UnsafePointer(image[source].pointer), added = residual.map { UnsafePointer(image[$0].pointer) }
        perImageSteps.append(NetworkStep(name: name, kernel: step.kernel,
                                         run: image[source] === networkInput ? { run(out, $0, added) } : { _ in run(out, stored, added) }))
    }

    /// Node j's tensors as a batch step reads them: a per-image node's batch copy, else its own buffer.
    private func batchBuffer(_ j: Int) -> FloatBuffer { batch[j] ?? image[j] }

    /// A chain's convolution with what it absorbed, and the node its first member reads.
    private func layer(of chain: NetworkPlan.Chain) throws(GraphError) -> (layer: Network.ConvolutionLayer, source: Int) {
        let conv = nodes[chain.convolution]
        let source = chain.source(nodes)
        let padding = chain.padding(nodes)
        let layer = try Network.convolutionLayer(conv, convWeights: weights(of: conv), batchNorm: chain.batchNorm.map { (nodes[$0], weights(of: nodes[$0])) },
                                                 clamp: chain.clampNode != nil ? chain.clamp : nil, inputShape: shapes[source],
                                                 zeroPadding: padding, convolutionShape: shapes[chain.convolution])
        return (layer, source)
    }

    private func members(of chain: NetworkPlan.Chain) -> [String] {
        [chain.zeroPadding, chain.convolution, chain.batchNorm, chain.clampNode, chain.pool, chain.add].compactMap { $0 }.map { nodes[$0].name }
    }

    private func weights(of node: Node) -> [UnsafeBufferPointer<Float>] {
        node.weights.map { UnsafeBufferPointer(rebasing: weights[$0.offset..<($0.offset + $0.count)]) }
    }
}
