import Engine
import TestSupport
import XCTest

/// An inverted residual block (1x1 expand + batch norm + ReLU6, depthwise 3x3 + batch norm +
/// ReLU6, 1x1 project + batch norm, the residual Add) run band by band must give the very
/// floats of the same chains run as separate steps (tolerance 0): stride 1 and 2 (with its
/// ZeroPadding2D), channel counts that are not whole vectors, bands of one row up to the
/// whole image, and heights that are not a whole number of bands. The first layer may also
/// be a few-channel 3x3 convolution (MobileNetV2's Conv1), which the patch kernel runs by rows.
final class InvertedResidualBandsTests: XCTestCase {
    let lanes = KernelShapes.lanes

    func randoms(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1) } }

    /// input (h, w, c) -> expand to `expanded` -> depthwise (stride) -> project to c [-> Add].
    /// `firstStride`: the expand is a 3x3 convolution with that stride ('same'), not a 1x1.
    func block(h: Int, w: Int, c: Int, expanded: Int, stride: Int, firstStride: Int? = nil) -> Model {
        var nodes = [Node(name: "in", sourceClass: "InputLayer", op: .input(shape: [h, w, c]), inputs: [])]
        var weights: [Float] = []
        func add(_ name: String, _ op: Engine.Operation, _ inputs: [Int], _ shapes: [[Int]]) {
            var refs: [WeightRef] = []
            for shape in shapes {
                let count = shape.reduce(1, *)
                refs.append(WeightRef(offset: weights.count, shape: shape))
                // Batch norm variances must be positive.
                weights += name.hasSuffix("bn") && refs.count == 4 ? randoms(count).map { abs($0) + 0.1 } : randoms(count)
            }
            nodes.append(Node(name: name, sourceClass: name, op: op, inputs: inputs, weights: refs))
        }
        func batchNorm(_ name: String, _ channels: Int) {
            add(name, .batchNormalization(BatchNormalizationAttributes(epsilon: 1e-3)), [nodes.count - 1], Array(repeating: [channels], count: 4))
        }
        if let s = firstStride {
            add("expand", .conv2D(Conv2DAttributes(filters: expanded, kernel: [3, 3], strides: [s, s], padding: .same, useBias: false)), [0], [[3, 3, c, expanded]])
        } else {
            add("expand", .conv2D(Conv2DAttributes(filters: expanded, kernel: [1, 1], useBias: false)), [0], [[1, 1, c, expanded]])
        }
        batchNorm("expand_bn", expanded)
        add("expand_relu", .relu(ReLUAttributes(maxValue: 6)), [nodes.count - 1], [])
        if stride == 2 { add("pad", .zeroPadding([0, 1, 0, 1]), [nodes.count - 1], []) }
        add("depthwise", .depthwiseConv2D(DepthwiseConv2DAttributes(kernel: [3, 3], strides: [stride, stride], padding: stride == 1 ? .same : .valid, useBias: false)),
            [nodes.count - 1], [[3, 3, expanded, 1]])
        batchNorm("depthwise_bn", expanded)
        add("depthwise_relu", .relu(ReLUAttributes(maxValue: 6)), [nodes.count - 1], [])
        add("project", .conv2D(Conv2DAttributes(filters: c, kernel: [1, 1], useBias: false)), [nodes.count - 1], [[1, 1, expanded, c]])
        batchNorm("project_bn", c)
        if stride == 1 && firstStride.map({ $0 == 1 }) ?? true { add("add", .add, [0, nodes.count - 1], []) }
        return Model(graph: Graph(name: "block", nodes: nodes, output: nodes.count - 1), weights: weights)
    }

    func testBandsGiveTheSeparateStepsFloats() throws {
        for (h, w, c, expanded, stride, firstStride) in [(13, 9, lanes + 3, 6 * lanes - 2, 1, nil), (14, 11, lanes - 1, 3 * lanes + 1, 2, nil),
                                                         (15, 8, 2 * lanes, 4 * lanes, 2, nil), (1, 1, 3, lanes, 1, nil),
                                                         (23, 10, 3, 2 * lanes, 1, 2), (9, 7, 3, lanes + 3, 1, 1), (12, 12, 3, lanes - 1, 2, 2)] as [(Int, Int, Int, Int, Int, Int?)] {
            let model = block(h: h, w: w, c: c, expanded: expanded, stride: stride, firstStride: firstStride)
            let images = randoms(3 * h * w * c)
            var separate = Network.Options.fastest
            separate.bandedBlocks = false
            let unbanded = try Network(model: model, batchSize: 2, options: separate)
            XCTAssertFalse(unbanded.profile(input: Array(images.prefix(h * w * c)), repeats: 1).contains { $0.contains("in bands of") })
            let expected = unbanded.predict(images)
            // One output row per band, two or three rows, and the whole image.
            let rowBytes = w * expanded * MemoryLayout<Float>.size
            for bandBytes in [1, 5 * rowBytes, 1 << 30] {
                var options = Network.Options.fastest
                options.bandBytes = bandBytes
                let banded = try Network(model: model, batchSize: 2, options: options)
                let steps = banded.profile(input: Array(images.prefix(h * w * c)), repeats: 1)
                let label = "\(h)x\(w)x\(c), expanded \(expanded), stride \(stride), first stride \(firstStride.map(String.init) ?? "-"), band \(bandBytes) bytes"
                XCTAssertEqual(steps.filter { $0.contains("in bands of") }.count, 1, "\(label): one banded step: \(steps)")
                checkTensor(banded.predict(images), expected, label, tolerance: 0)
            }
        }
    }
}
