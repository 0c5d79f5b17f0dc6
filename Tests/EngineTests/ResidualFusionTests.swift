import Engine
import TestSupport
import XCTest

/// The residual Add fused into a convolution's store, and the vectorised affine kernel:
/// both must give the very floats of the separate steps (tolerance 0), with channel tails
/// (not a multiple of the lane count) and pixel counts that are not whole tiles.
final class ResidualFusionTests: XCTestCase {
    let lanes = KernelShapes.lanes, rows = KernelShapes.gemmRows

    func randoms(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1) } }

    func testConvolutionWithResidualEqualsConvolutionThenAdd() {
        for (h, w, k) in [(1, 1, 1), (3, rows + 1, 1), (2, 2 * rows + 3, 3)] {
            for oc in [1, lanes - 1, lanes, lanes + 1, 2 * lanes, 3 * lanes + 2] {
                let c = lanes + 3
                let g = WindowGeometry(inputShape: [h, w, c], outputShape: [h, w, oc], kernel: [k, k], strides: [1, 1],
                                       dilation: [1, 1], padding: .same)
                let input = randoms(h * w * c), kernel = randoms(k * k * c * oc), bias = randoms(oc), residual = randoms(h * w * oc)
                var actual = [Float](repeating: .nan, count: h * w * oc)
                residual.withUnsafeBufferPointer { r in
                    DirectConvolution(g, kernel: kernel, bias: bias, clamp: .none).forward(out: &actual, inp: input, residual: r.baseAddress!)
                }
                let expected = zip(residual, convolutionInOrder(input, kernel, bias, g)).map { $0 + $1 }
                checkTensor(actual, expected, "\(k)x\(k) \(h)x\(w)x\(c)->\(oc) + residual", tolerance: 0)
            }
        }
    }

    /// input -> a (1x1, ReLU) -> b (KxK, linear) -> Add(a, b), and Add(input, b'): fused
    /// (the Add in b's step) and unfused runs agree bit for bit.
    func testFusedResidualAddGivesTheUnfusedNetworksFloats() throws {
        let c = lanes + 3
        for (k, readsInput) in [(1, false), (3, false), (1, true)] {
            let input = Node(name: "in", sourceClass: "InputLayer", op: .input(shape: [5, 7, c]), inputs: [])
            let a = Node(name: "a", sourceClass: "Conv2D", op: .conv2D(Conv2DAttributes(filters: c, kernel: [1, 1], activation: .relu)),
                         inputs: [0], weights: [WeightRef(offset: 0, shape: [1, 1, c, c]), WeightRef(offset: c * c, shape: [c])])
            let source = readsInput ? 0 : 1
            let b = Node(name: "b", sourceClass: "Conv2D", op: .conv2D(Conv2DAttributes(filters: c, kernel: [k, k], padding: .same)),
                         inputs: [source], weights: [WeightRef(offset: c * c + c, shape: [k, k, c, c]), WeightRef(offset: c * c + c + k * k * c * c, shape: [c])])
            let add = Node(name: "add", sourceClass: "Add", op: .add, inputs: [source, 2])
            let graph = Graph(name: "g", nodes: [input, a, b, add], output: 3)
            let model = Model(graph: graph, weights: randoms(c * c + c + k * k * c * c + c))
            let images = randoms(3 * 5 * 7 * c)
            let fused = try Network(model: model, batchSize: 2, options: Network.Options(fuseLayers: true, fastKernels: true))
            let unfused = try Network(model: model, batchSize: 2, options: Network.Options(fuseLayers: false, fastKernels: true))
            let steps = fused.profile(input: Array(images.prefix(5 * 7 * c)), repeats: 1)
            XCTAssertTrue(steps.contains { $0.contains("b+add") }, "the Add is fused (k \(k), reads input \(readsInput)): \(steps)")
            XCTAssertEqual(fused.predict(images), unfused.predict(images), "k \(k), reads input \(readsInput)")
        }
    }

    func testAffineKernelMatchesTheReference() {
        for channels in [1, 3, lanes - 1, lanes + 1, 2 * lanes] {
            for pixels in [1, lanes - 1, lanes + 2, 3 * lanes + 1] {
                for perChannel in [false, true] {
                    let count = pixels * channels
                    let scale = perChannel ? randoms(channels) : [0.0078125], offset = perChannel ? randoms(channels) : [-1]
                    let input = randoms(count)
                    var expected = [Float](repeating: .nan, count: count), actual = expected
                    affineForward(out: &expected, inp: input, count: count, channels: channels, scale: scale, offset: offset)
                    AffineKernel(channels: channels, scale: scale, offset: offset).forward(out: &actual, inp: input, count: count)
                    checkTensor(actual, expected, "affine \(pixels) px x \(channels) ch", tolerance: 0)
                }
            }
        }
    }
}
