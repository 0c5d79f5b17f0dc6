import Engine
import TestSupport
import XCTest

/// Options.batchTail: the weight-heavy spatial layers at the end run on the whole batch,
/// layer after layer. Each image's floats must be those of the image-at-a-time network
/// (tolerance 0) for any batch size, a last batch that is not full included, through every
/// kind of step the tail can hold: a plain convolution, a chain with a residual Add, a chain
/// with its ZeroPadding2D, a pooling and a global average pooling.
final class BatchTailTests: XCTestCase {
    let lanes = KernelShapes.lanes

    func randoms(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1) } }

    /// in (6, 6, 3) -> 3x3 conv to 8, ReLU (light: fewer weights than its tensors) -> 2x2 average
    /// pooling -> 1x1 conv to c, ReLU -> 3x3 conv + Add(residual) -> ZeroPadding2D + depthwise
    /// 3x3 stride 2, ReLU -> global average pooling -> dense 2. From the 1x1 on, each
    /// convolution's weights outweigh its input and output, so the pooling before it and
    /// everything after run on the batch.
    func model(c: Int) -> Model {
        var nodes = [Node(name: "in", sourceClass: "InputLayer", op: .input(shape: [6, 6, 3]), inputs: [])]
        var weights: [Float] = []
        func add(_ name: String, _ op: Engine.Operation, _ inputs: [Int], _ shapes: [[Int]] = []) {
            let refs = shapes.map { shape in
                defer { weights += randoms(shape.reduce(1, *)) }
                return WeightRef(offset: weights.count, shape: shape)
            }
            nodes.append(Node(name: name, sourceClass: name, op: op, inputs: inputs, weights: refs))
        }
        add("light", .conv2D(Conv2DAttributes(filters: 8, kernel: [3, 3], activation: .relu)), [0], [[3, 3, 3, 8], [8]])
        add("pool", .pool(PoolAttributes(kind: .average, size: [2, 2], strides: [2, 2])), [1])
        add("pointwise", .conv2D(Conv2DAttributes(filters: c, kernel: [1, 1], activation: .relu)), [2], [[1, 1, 8, c], [c]])
        add("conv", .conv2D(Conv2DAttributes(filters: c, kernel: [3, 3], padding: .same)), [3], [[3, 3, c, c], [c]])
        add("add", .add, [3, 4])
        add("pad", .zeroPadding([0, 1, 0, 1]), [5])
        add("depthwise", .depthwiseConv2D(DepthwiseConv2DAttributes(kernel: [3, 3], strides: [2, 2], activation: .relu)), [6], [[3, 3, c, 1], [c]])
        add("average", .globalAveragePooling(keepDims: false), [7])
        add("dense", .dense(DenseAttributes(units: 2)), [8], [[c, 2], [2]])
        return Model(graph: Graph(name: "tail", nodes: nodes, output: nodes.count - 1), weights: weights)
    }

    func testBatchTailGivesTheImageAtATimeFloats() throws {
        // Channel tails on every ISA, and at least 9 channels, which makes the 1x1 heavy (8c >= 4 x (8 + c)).
        for c in [max(9, lanes - 1), max(13, 2 * lanes + 1)] {
            let model = model(c: c)
            let images = randoms(5 * 6 * 6 * 3)
            var perImage = Network.Options.fastest
            perImage.batchTail = false
            for batchSize in [1, 2, 4] {
                let tail = try Network(model: model, batchSize: batchSize, options: .fastest)
                let plain = try Network(model: model, batchSize: batchSize, options: perImage)
                func batchSteps(_ network: Network) -> [String] {
                    network.profile(input: Array(images.prefix(6 * 6 * 3)), repeats: 1).filter { $0.hasPrefix("  batch") }
                }
                // On the batch: everything after the light convolution (the pooling, the three
                // convolution steps, the global average pooling, the dense layer); without the tail, the dense layer.
                XCTAssertEqual(batchSteps(tail).count, 6, "c \(c): \(batchSteps(tail))")
                XCTAssertEqual(batchSteps(plain).count, 1, "c \(c): \(batchSteps(plain))")
                checkTensor(tail.predict(images), plain.predict(images), "c \(c), batch \(batchSize)", tolerance: 0)
            }
        }
    }
}
