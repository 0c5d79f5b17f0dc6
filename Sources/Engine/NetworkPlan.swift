/// How a graph runs: which nodes run one image at a time and which on the whole batch,
/// and which nodes are computed inside the step of a convolution before them.
struct NetworkPlan {
    /// A convolution (or depthwise convolution) and what its epilogue absorbs: a batch
    /// norm (folded into the weights), a clamp activation, a 2x2 max pooling, or (linear
    /// convolutions only) the two-input Add of a residual block.
    struct Chain {
        var convolution: Int
        var batchNorm: Int?
        var clamp: ClampRange
        var clampNode: Int?
        var pool: Int?
        /// A ZeroPadding2D before the convolution, done by the convolution itself.
        var zeroPadding: Int?
        /// An Add of the convolution's output and `residual`, done in the convolution's store.
        var add: Int?
        var residual: Int?
        /// The node whose output the chain writes.
        var last: Int

        /// The node the chain reads: the ZeroPadding2D's input, else the convolution's.
        func source(_ nodes: [Node]) -> Int { zeroPadding.map { nodes[$0].inputs[0] } ?? nodes[convolution].inputs[0] }

        /// The absorbed ZeroPadding2D's padding (top, bottom, left, right), if any.
        func padding(_ nodes: [Node]) -> [Int]? {
            guard let zeroPadding, case .zeroPadding(let p) = nodes[zeroPadding].op else { return nil }
            return p
        }
    }

    /// An inverted residual block: a 1x1 chain read only by a depthwise chain read only by
    /// a 1x1 chain (MobileNetV2's expand, depthwise, project), run band by band
    /// (InvertedResidualBands): the expand's and the depthwise's outputs are never stored whole.
    /// The first chain may also be a few-channel convolution that the patch kernel runs
    /// (MobileNetV2's Conv1 before the first depthwise).
    struct Block {
        var expand: Chain
        var depthwise: Chain
        var project: Chain
    }

    var perImage: [Bool]
    var chains: [Int: Chain] = [:]     // keyed by the chain's last node
    var blocks: [Int: Block] = [:]     // keyed by the project chain's last node
    var absorbed = Set<Int>()           // nodes computed inside a chain or block, never stored

    /// `fuse`: chains; `bands` (with `fuse`): blocks of chains too (with `fastKernels`, also
    /// those that start at a patch-kernel layer); `batchTail` (with `fuse`): the weight-heavy
    /// spatial layers at the end run on the whole batch (`moveTailToBatch`).
    init(graph: Graph, shapes: [[Int]], fuse: Bool, fastKernels: Bool, bands: Bool, batchTail: Bool) {
        let nodes = graph.nodes
        var readers = [[Int]](repeating: [], count: nodes.count)
        for (i, node) in nodes.enumerated() { for input in node.inputs { readers[input].append(i) } }
        // Spatial tensors run per image, and so does everything a per-image node reads:
        // per-image steps all run before the batch steps.
        var perImage = nodes.indices.map { i in i == 0 || shapes[i].count == 3 || nodes[i].inputs.contains { shapes[$0].count == 3 } }
        for i in nodes.indices.reversed() where readers[i].contains(where: { perImage[$0] }) { perImage[i] = true }
        self.perImage = perImage
        guard fuse else { return }

        func soleReader(_ i: Int) -> Int? {
            readers[i].count == 1 && i != graph.output ? readers[i][0] : nil
        }
        for (i, node) in nodes.enumerated() where perImage[i] {
            let ownActivation: Activation
            let isDepthwise: Bool
            switch node.op {
            case .conv2D(let a): (ownActivation, isDepthwise) = (a.activation, false)
            case .depthwiseConv2D(let a): (ownActivation, isDepthwise) = (a.activation, true)
            default: continue
            }
            guard var clamp = ClampRange(ownActivation) else { continue }
            var chain = Chain(convolution: i, batchNorm: nil, clamp: clamp, clampNode: nil, pool: nil, zeroPadding: nil, last: i)
            let padding: Padding
            switch node.op {
            case .conv2D(let a): padding = a.padding
            case .depthwiseConv2D(let a): padding = a.padding
            default: padding = .same
            }
            if padding == .valid, let source = node.inputs.first, readers[source].count == 1, source != graph.output,
               case .zeroPadding = nodes[source].op, perImage[source] {
                chain.zeroPadding = source
            }
            if clamp.isNone, let next = soleReader(chain.last), case .batchNormalization = nodes[next].op {
                chain.batchNorm = next
                chain.last = next
            }
            if clamp.isNone, let next = soleReader(chain.last), let range = Self.clamp(of: nodes[next].op) {
                clamp = range
                chain.clamp = range
                chain.clampNode = next
                chain.last = next
            }
            if !isDepthwise, let next = soleReader(chain.last), case .pool(let p) = nodes[next].op,
               p.kind == .max, p.size == [2, 2], p.strides == [2, 2], p.padding == .valid {
                chain.pool = next
                chain.last = next
            }
            if clamp.isNone, chain.pool == nil, let next = soleReader(chain.last), case .add = nodes[next].op, nodes[next].inputs.count == 2,
               let other = nodes[next].inputs.first(where: { $0 != chain.last }), perImage[other], shapes[other] == shapes[next] {
                chain.add = next
                chain.residual = other
                chain.last = next
            }
            guard chain.last != i || chain.zeroPadding != nil else { continue }
            chains[chain.last] = chain
            for member in [chain.zeroPadding, i, chain.batchNorm, chain.clampNode, chain.pool, chain.add].compactMap({ $0 }) where member != chain.last {
                absorbed.insert(member)
            }
        }
        if bands { findBlocks(graph, shapes, readers, fastKernels: fastKernels) }
        if batchTail { moveTailToBatch(graph, shapes) }
    }

    /// The spatial steps after the last one whose weights weigh less than the image tensors
    /// it reads and writes (when at least one step there has weights) become batch steps:
    /// each runs on every image of the batch before the next step, so its weights come from
    /// memory once per batch rather than once per image (MobileNetV2 from 14x14 on, where a
    /// 1x1 layer's weights are many times an image's tensors). A block weighs its three
    /// convolutions against its input and output. Each image's floats are the same either way;
    /// the batch then holds those steps' tensors for every image.
    private mutating func moveTailToBatch(_ graph: Graph, _ shapes: [[Int]]) {
        let nodes = graph.nodes
        func floats(_ i: Int) -> Int { shapes[i].reduce(1, *) }
        func weights(_ chain: Chain) -> Int { nodes[chain.convolution].weights.first?.count ?? 0 }
        var lastLight: Int? = nil, heavyAfter = false
        for i in nodes.indices where perImage[i] && !absorbed.contains(i) {
            let step: (weights: Int, source: Int)
            if let block = blocks[i] {
                step = ([block.expand, block.depthwise, block.project].map(weights).reduce(0, +), block.expand.source(nodes))
            } else if let chain = chains[i] {
                step = (weights(chain), chain.source(nodes))
            } else if nodes[i].op.isConvolution {
                step = (nodes[i].weights.first?.count ?? 0, nodes[i].inputs[0])
            } else {
                continue
            }
            if step.weights < floats(step.source) + floats(i) {
                (lastLight, heavyAfter) = (i, false)
            } else {
                heavyAfter = true
            }
        }
        guard let lastLight, heavyAfter else { return }
        for i in (lastLight + 1)..<nodes.count { perImage[i] = false }
    }

    /// Chains that form blocks, in graph order; a chain belongs to one block at most.
    private mutating func findBlocks(_ graph: Graph, _ shapes: [[Int]], _ readers: [[Int]], fastKernels: Bool) {
        let nodes = graph.nodes
        func isPointwise(_ chain: Chain) -> Bool {
            guard case .conv2D(let a) = nodes[chain.convolution].op else { return false }
            return a.kernel == [1, 1] && a.strides == [1, 1] && chain.pool == nil && chain.zeroPadding == nil
        }
        // The kernel its own step would run, so the band computes the same floats.
        func runsOnPatches(_ chain: Chain) -> Bool {
            guard fastKernels, chain.pool == nil, case .conv2D(let a) = nodes[chain.convolution].op else { return false }
            let g = Network.windowGeometry(kernel: a.kernel, strides: a.strides, dilation: a.dilation, padding: a.padding,
                                           inputShape: shapes[chain.source(nodes)], zeroPadding: chain.padding(nodes),
                                           convolutionShape: shapes[chain.convolution])
            return ConvolutionKernel.choose(g, depthwiseMultiplier: nil, pools: false, fastKernels: true) == .patch
        }
        func readOnlyBy(_ node: Int, _ reader: Int) -> Bool { readers[node] == [reader] && node != graph.output }
        var used = Set<Int>()
        for last in chains.keys.sorted() {
            let project = chains[last]!
            let d = nodes[project.convolution].inputs[0]
            guard isPointwise(project), let depthwise = chains[d], readOnlyBy(d, project.convolution),
                  case .depthwiseConv2D(let a) = nodes[depthwise.convolution].op, a.depthMultiplier == 1, depthwise.add == nil else { continue }
            let depthwiseReader = depthwise.zeroPadding ?? depthwise.convolution
            let e = depthwise.source(nodes)
            guard let expand = chains[e], readOnlyBy(e, depthwiseReader), isPointwise(expand) || runsOnPatches(expand), expand.add == nil,
                  used.isDisjoint(with: [e, d, last]) else { continue }
            blocks[last] = Block(expand: expand, depthwise: depthwise, project: project)
            used.formUnion([e, d, last])
            absorbed.formUnion([e, d])
        }
    }

    /// The clamp an activation-like node applies, if it is one.
    static func clamp(of op: Operation) -> ClampRange? {
        switch op {
        case .activation(let a): return ClampRange(a)
        case .relu(let a): return ClampRange(a)
        case .clip(let lower, let upper): return ClampRange(lower: lower, upper: upper)
        default: return nil
        }
    }
}
