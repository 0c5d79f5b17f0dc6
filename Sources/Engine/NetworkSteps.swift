import Foundation

/// How each operation runs: the kernel chosen for it and the buffers it reads and writes.
/// A step takes the number of rows (images) it works on: 1 for a per-image step, the batch's
/// image count for a batch step, which reads and writes each image's tensor after the last.
extension Network {
    /// A convolution step's work on one image: its output, its input, and the tensor a fused
    /// residual Add adds (nil without one).
    typealias ConvolutionRun = (_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, _ residual: UnsafePointer<Float>?) -> Void

    /// The step of a node that is not part of a chain, and its kernel's label; nil when it
    /// has nothing to do. `weights`: the node's weight tensors, read while the step is built
    /// (kernels keep copies).
    static func step(_ node: Node, output: FloatBuffer, inputs: [FloatBuffer], inputShapes: [[Int]], outputShape: [Int],
                     weights: [UnsafeBufferPointer<Float>], fastKernels: Bool) throws(GraphError) -> (run: (Int) -> Void, kernel: String)? {
        switch node.op {
        case .conv2D, .depthwiseConv2D:
            let layer = try convolutionLayer(node, convWeights: weights, batchNorm: nil, clamp: nil, inputShape: inputShapes[0],
                                             zeroPadding: nil, convolutionShape: outputShape)
            let step = convolutionStep(layer, pools: false, addsResidual: false, fastKernels: fastKernels)
            let (run, out, input) = (step.run, output.pointer, UnsafePointer(inputs[0].pointer))
            let (outCount, inCount) = (outputShape.reduce(1, *), inputShapes[0].reduce(1, *))
            return ({ rows in for n in 0..<rows { run(out + n * outCount, input + n * inCount, nil) } }, step.kernel)
        default:
            guard let run = try layerStep(node, output: output, inputs: inputs, inputShapes: inputShapes, outputShape: outputShape,
                                          weights: weights) else { return nil }
            return (run, kernelLabel(node.op))
        }
    }

    /// What engine-bench shows for the steps that are not convolutions.
    static func kernelLabel(_ op: Operation) -> String {
        switch op {
        case .pool: return "pool, 1 px x \(KernelShapes.lanes) ch"
        case .dense: return "dense \(KernelShapes.denseTile)"
        case .batchNormalization, .rescaling: return "affine, \(KernelShapes.lanes) floats/vector"
        default: return "element-wise (scalar loop)"
        }
    }

    /// Every layer but the convolutions.
    private static func layerStep(_ node: Node, output: FloatBuffer, inputs: [FloatBuffer], inputShapes: [[Int]], outputShape: [Int],
                                  weights: [UnsafeBufferPointer<Float>]) throws(GraphError) -> ((Int) -> Void)? {
        let out = output.pointer
        let ins = inputs.map { UnsafePointer($0.pointer) }
        let count = outputShape.reduce(1, *)
        let inCount = inputShapes.first.map { $0.reduce(1, *) } ?? 0
        let channels = outputShape.last ?? 1
        switch node.op {
        case .input, .conv2D, .depthwiseConv2D:   // convolutions: convolutionStep
            return nil
        case .pool(let a):
            let g = WindowGeometry(inputShape: inputShapes[0], outputShape: outputShape, kernel: a.size,
                                   strides: a.strides, dilation: [1, 1], padding: a.padding)
            return { rows in for n in 0..<rows { poolForward(out: out + n * count, inp: ins[0] + n * inCount, kind: a.kind, g) } }
        case .dense(let a):
            let dense = DenseKernel(features: inputShapes[0][0], units: a.units, kernel: weights[0].baseAddress!,
                                    bias: a.useBias ? weights[1].baseAddress! : nil, activation: a.activation)
            return { rows in dense.forward(out: out, inp: ins[0], rows: rows) }
        case .activation(let activation):
            return { rows in
                out.update(from: ins[0], count: rows * count)
                activationForward(out, count: rows * count, rowLength: channels, activation)
            }
        case .relu(let a):
            return { rows in reluForward(out: out, inp: ins[0], count: rows * count, a) }
        case .clip(let lower, let upper):
            return { rows in clampForward(out: out, inp: ins[0], count: rows * count, ClampRange(lower: lower, upper: upper)) }
        case .flatten, .identity, .reshape:
            return out == UnsafeMutablePointer(mutating: ins[0]) ? nil : { rows in out.update(from: ins[0], count: rows * count) }
        case .batchNormalization(let a):
            let (scale, offset) = batchNormAffine(a, weights)
            let affine = AffineKernel(channels: channels, scale: scale, offset: offset)
            return { rows in affine.forward(out: out, inp: ins[0], count: rows * count) }
        case .rescaling(let scale, let offset):
            let affine = AffineKernel(channels: channels, scale: scale, offset: offset)
            return { rows in affine.forward(out: out, inp: ins[0], count: rows * count) }
        case .add:
            return { rows in addForward(out: out, inputs: ins, count: rows * count) }
        case .multiply:
            let bCount = inputShapes[1].reduce(1, *)
            return { rows in
                if bCount == count {
                    multiplyForward(out: out, a: ins[0], b: ins[1], count: rows * count, bCount: rows * count)
                } else {
                    for r in 0..<rows { multiplyForward(out: out + r * count, a: ins[0] + r * count, b: ins[1] + r * bCount, count: count, bCount: bCount) }
                }
            }
        case .concatenate:
            let parts = inputShapes.map { $0.last ?? 1 }
            let pixels = count / channels
            return { rows in concatenateForward(out: out, inputs: ins, channels: parts, pixels: rows * pixels) }
        case .zeroPadding(let padding):
            let s = inputShapes[0]
            return { rows in
                for n in 0..<rows { zeroPadForward(out: out + n * count, inp: ins[0] + n * inCount, h: s[0], w: s[1], c: s[2], padding: padding) }
            }
        case .globalAveragePooling:
            let s = inputShapes[0]
            return { rows in for n in 0..<rows { globalAveragePoolForward(out: out + n * count, inp: ins[0] + n * inCount, h: s[0], w: s[1], c: s[2]) } }
        }
    }

    /// A convolution's geometry, its weights with a batch norm folded in, and its activation:
    /// what any of its kernels is built from.
    struct ConvolutionLayer {
        var g: WindowGeometry
        var kernel: [Float]
        var bias: [Float]
        /// The activation's clamp (ReLU, ReLU6, none), done in the kernel's store.
        var clamp: ClampRange
        /// An activation that is not a clamp (sigmoid, tanh, softmax): a pass after the kernel.
        var rest: Activation?
        /// Depthwise convolutions' depth multiplier; nil for Conv2D.
        var depthwiseMultiplier: Int?
    }

    /// A convolution's window over its input; a ZeroPadding2D before it (`zeroPadding`, with
    /// `inputShape` the padding's input) is done by the convolution.
    static func windowGeometry(kernel: [Int], strides: [Int], dilation: [Int], padding: Padding, inputShape: [Int],
                               zeroPadding: [Int]?, convolutionShape: [Int]) -> WindowGeometry {
        if let p = zeroPadding {
            return WindowGeometry(inputShape: inputShape, outputShape: convolutionShape, kernel: kernel, strides: strides,
                                  dilation: dilation, padTop: p[0], padLeft: p[2])
        }
        return WindowGeometry(inputShape: inputShape, outputShape: convolutionShape, kernel: kernel, strides: strides, dilation: dilation, padding: padding)
    }

    /// The layer of `node` with what a chain absorbed: a batch norm folded into its weights,
    /// a clamp (`clamp`, the clamp node's range; nil: the layer's own activation), and a
    /// ZeroPadding2D before it (`zeroPadding`, with `inputShape` the padding's input).
    static func convolutionLayer(_ node: Node, convWeights: [UnsafeBufferPointer<Float>],
                                 batchNorm: (node: Node, weights: [UnsafeBufferPointer<Float>])?, clamp absorbedClamp: ClampRange?,
                                 inputShape: [Int], zeroPadding: [Int]?, convolutionShape: [Int]) throws(GraphError) -> ConvolutionLayer {
        var kernel = Array(convWeights[0])
        let outC = convolutionShape[2]
        var bias: [Float]
        let g: WindowGeometry
        let ownActivation: Activation
        var depthwiseMultiplier: Int? = nil
        func geometry(_ kernel: [Int], _ strides: [Int], _ dilation: [Int], _ padding: Padding) -> WindowGeometry {
            windowGeometry(kernel: kernel, strides: strides, dilation: dilation, padding: padding, inputShape: inputShape,
                           zeroPadding: zeroPadding, convolutionShape: convolutionShape)
        }
        switch node.op {
        case .conv2D(let a):
            g = geometry(a.kernel, a.strides, a.dilation, a.padding)
            bias = a.useBias ? Array(convWeights[1]) : [Float](repeating: 0, count: outC)
            ownActivation = a.activation
        case .depthwiseConv2D(let a):
            g = geometry(a.kernel, a.strides, a.dilation, a.padding)
            bias = a.useBias ? Array(convWeights[1]) : [Float](repeating: 0, count: outC)
            ownActivation = a.activation
            depthwiseMultiplier = a.depthMultiplier
        default:
            throw GraphError(node: node, "is not a convolution")
        }
        if let batchNorm, case .batchNormalization(let a) = batchNorm.node.op {
            foldBatchNorm(a, batchNorm.weights, into: &kernel, bias: &bias, outC: outC)
        }
        let clamp = absorbedClamp ?? ClampRange(ownActivation) ?? .none
        let rest: Activation? = ClampRange(ownActivation) == nil ? ownActivation : nil
        return ConvolutionLayer(g: g, kernel: kernel, bias: bias, clamp: clamp, rest: rest, depthwiseMultiplier: depthwiseMultiplier)
    }

    /// A convolution layer's step: the kernel chosen for its shape, 2x2 max pooling in its
    /// epilogue (`pools`), a residual Add (`addsResidual`: the direct kernel adds the residual
    /// as it stores, other kernels in a pass after), and its kernel's label. The step takes its
    /// tensors when it runs, so a network's first layer can read each image where the caller
    /// put it, and a batch step can run it on each image of the batch.
    static func convolutionStep(_ layer: ConvolutionLayer, pools: Bool, addsResidual: Bool,
                                fastKernels: Bool) -> (run: ConvolutionRun, kernel: String) {
        let (g, kernel, bias, clamp) = (layer.g, layer.kernel, layer.bias, layer.clamp)
        let choice = ConvolutionKernel.choose(g, depthwiseMultiplier: layer.depthwiseMultiplier, pools: pools, fastKernels: fastKernels)
        let forward: ConvolutionRun   // the residual: only the direct kernel adds it (as it stores)
        let outputShape: [Int]
        switch choice {
        case .depthwise(let multiplier):
            let conv = DepthwiseConvolution(g, multiplier: multiplier, kernel: kernel, bias: bias, clamp: clamp)
            (forward, outputShape) = ({ out, inp, _ in conv.forward(out: out, inp: inp) }, [g.outH, g.outW, g.outC])
        case .grey:
            let conv = GreyConvolution(g, kernel: kernel, bias: bias, clamp: clamp)
            (forward, outputShape) = ({ out, inp, _ in conv.forward(out: out, inp: inp) }, conv.outputShape)
        case .patch:
            let conv = PatchConvolution(g, kernel: kernel, bias: bias, clamp: clamp, maxPool2x2: pools)
            (forward, outputShape) = ({ out, inp, _ in conv.forward(out: out, inp: inp) }, conv.outputShape)
        case .winograd(let tile):
            let conv = WinogradConvolution(g, kernel: kernel, bias: bias, clamp: clamp, maxPool2x2: pools, outputTile: tile)
            (forward, outputShape) = ({ out, inp, _ in conv.forward(out: out, inp: inp) }, conv.outputShape)
        case .direct:
            let conv = DirectConvolution(g, kernel: kernel, bias: bias, clamp: clamp, maxPool2x2: pools)
            (forward, outputShape) = ({ conv.forward(out: $0, inp: $1, residual: $2) }, conv.outputShape)
        }
        let count = outputShape.reduce(1, *)
        let addsAfter = choice != .direct
        let rest = layer.rest, outC = g.outC
        let run: ConvolutionRun = { out, inp, residual in
            forward(out, inp, residual)
            if let rest { activationForward(out, count: count, rowLength: outC, rest) }
            if addsAfter, let residual { addInPlace(out, residual, count: count) }
        }
        return (run, choice.label(g) + (!addsResidual ? "" : choice == .direct ? " + add in store" : " + add pass"))
    }

    /// An inverted residual block's step (NetworkPlan.Block): its three layers' kernels run
    /// band by band. The layers are chains, so their activations are clamps (no `rest`).
    static func blockStep(expand e: ConvolutionLayer, depthwise d: ConvolutionLayer, project p: ConvolutionLayer,
                          addsResidual: Bool, bandBytes: Int) -> (run: ConvolutionRun, kernel: String) {
        // NetworkPlan bands a first layer that is not 1x1 only where the patch kernel runs it.
        let pointwise = e.g.kernelH == 1 && e.g.kernelW == 1
        let bands = InvertedResidualBands(
            expand: pointwise ? .pointwise(DirectConvolution(e.g, kernel: e.kernel, bias: e.bias, clamp: e.clamp))
                              : .patch(PatchConvolution(e.g, kernel: e.kernel, bias: e.bias, clamp: e.clamp)),
            depthwise: DepthwiseConvolution(d.g, multiplier: 1, kernel: d.kernel, bias: d.bias, clamp: d.clamp),
            project: DirectConvolution(p.g, kernel: p.kernel, bias: p.bias, clamp: p.clamp),
            bandBytes: bandBytes)
        let first = pointwise ? "1x1" : "patch \(e.g.kernelH)x\(e.g.kernelW)"
        let label = "\(first) + depthwise \(d.g.kernelH)x\(d.g.kernelW) + 1x1\(addsResidual ? " + add" : "") in bands of \(bands.bandRows) rows, GEMM \(KernelShapes.gemmTile)"
        return ({ bands.forward(out: $0, inp: $1, residual: $2) }, label)
    }
}
