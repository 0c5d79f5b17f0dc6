import Engine
import Foundation
import ModelIO
import TestSupport
import XCTest

/// The ONNX reader on the two tf2onnx conversions in shared/models: the default CNN against
/// the Keras .h5 it came from, MobileNetV2 against Keras's logits.
final class ONNXReaderTests: XCTestCase {
    static let models = TestData.shared.appendingPathComponent("models")
    static let catsordogs = models.appendingPathComponent("catsordogs.onnx")
    static let mobileNet = models.appendingPathComponent("mobilenetv2_catdog.onnx")

    /// Same operations, shapes and weights as the .h5, and the same outputs on the golden inputs.
    func testCatsOrDogsMatchesTheKerasModel() throws {
        let onnx = try ModelLoader.load(path: Self.catsordogs.path)
        let keras = try ModelLoader.load(path: TestData.catsordogsModel.path)
        XCTAssertEqual(onnx.graph.nodes.map(\.op), keras.graph.nodes.map(\.op))
        XCTAssertEqual(onnx.graph.nodes.map { $0.weights.map(\.shape) }, keras.graph.nodes.map { $0.weights.map(\.shape) })
        XCTAssertEqual(try ShapeInference.shapes(of: onnx.graph, weightCount: onnx.weights.count),
                       try ShapeInference.shapes(of: keras.graph, weightCount: keras.weights.count))
        checkTensor(onnx.weights, keras.weights, "weights", tolerance: 0)

        let onnxNetwork = try Network(model: onnx, batchSize: 4)
        let kerasNetwork = try Network(model: keras, batchSize: 4)
        var largest: Float = 0
        for stem in TestData.goldenInputStems {
            let input = try readNPY(TestData.goldens.appendingPathComponent("input_catsordogs_\(stem).npy"))
            let difference = checkTensor(onnxNetwork.predict(input.values), kerasNetwork.predict(input.values), "catsordogs \(stem)", tolerance: 1e-5)
            largest = max(largest, difference)
        }
        print("catsordogs.onnx vs .h5: largest output difference \(largest)")
    }

    func testMobileNetV2ReadsAndPassesShapeInference() throws {
        let model = try ModelLoader.load(path: Self.mobileNet.path)
        XCTAssertEqual(model.graph.inputShape, [224, 224, 3])
        let shapes = try ShapeInference.shapes(of: model.graph, weightCount: model.weights.count)
        XCTAssertEqual(shapes[model.graph.output], [2])
        var kinds: [String: Int] = [:]
        for node in model.graph.nodes { kinds[Self.kind(of: node.op), default: 0] += 1 }
        XCTAssertEqual(kinds["conv2D"], 35)
        XCTAssertEqual(kinds["depthwiseConv2D"], 17)
        XCTAssertEqual(kinds["relu"], 35)        // Clip(0, 6) -> ReLU with max_value 6
        XCTAssertEqual(kinds["add"], 10)
        XCTAssertEqual(kinds["zeroPadding"], 4)
        XCTAssertEqual(kinds["rescaling"], 1)    // Mul + Add of the input scaling, as one node
        XCTAssertEqual(kinds["dense"], 1)
        XCTAssertNil(kinds["reshape"])           // the layout Transposes cost no node
    }

    /// Fails until the engine has kernels for depthwise convolution, ReLU6, add, padding, ...
    func testMobileNetV2LogitsMatchKeras() throws {
        let model = try ModelLoader.load(path: Self.mobileNet.path)
        let rows = try TestData.csvRows(TestData.goldens.appendingPathComponent("keras_predictions.csv"))
        for fuse in [true, false] {
            let network = try Network(model: model, batchSize: 4, fuse: fuse)
            var largest: Float = 0
            for stem in TestData.goldenInputStems {
                let row = try XCTUnwrap(rows.first { $0["file"]?.hasSuffix("/\(stem).jpg") == true }, stem)
                let expected = [Float(row["mobilenetv2_logit_cat"]!)!, Float(row["mobilenetv2_logit_dog"]!)!]
                let input = try readNPY(TestData.goldens.appendingPathComponent("input_mobilenetv2_\(stem).npy"))
                let difference = checkTensor(network.predict(input.values), expected, "MobileNetV2 ONNX \(stem) fuse=\(fuse)", tolerance: 1e-3)
                largest = max(largest, difference)
            }
            print("mobilenetv2_catdog.onnx vs Keras logits, fuse=\(fuse): largest difference \(largest)")
        }
    }

    /// The loader goes by content: an ONNX file with another name is still read as ONNX.
    func testLoaderPicksONNXByContent() throws {
        let directory = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.h5")
        try FileManager.default.copyItem(at: Self.catsordogs, to: url)
        XCTAssertEqual(try ModelLoader.load(path: url.path), try ONNXReader.read(path: Self.catsordogs.path))
    }

    func testTruncatedONNXFileIsReportedAsDamaged() throws {
        let directory = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.onnx")
        let bytes = try Data(contentsOf: Self.catsordogs)
        try bytes.prefix(bytes.count / 2).write(to: url)
        do {
            _ = try ModelLoader.load(path: url.path)
            XCTFail("a truncated file loaded")
        } catch {
            XCTAssertTrue(error.message.contains("model.onnx") && error.message.contains("damaged ONNX"), error.message)
        }
    }

    func testUnsupportedOpTypeIsNamed() throws {
        let fixture = ONNXFixture(nodes: [ONNXFixture.node("weird_node", "NonMaxSuppression", ["input"], ["output"])])
        let text = try fixture.loadError()
        XCTAssertTrue(text.contains("weird_node") && text.contains("unsupported op type NonMaxSuppression"), text)
    }

    func testUnsupportedSettingIsNamed() throws {
        var pool = ONNXFixture.node("pool_node", "MaxPool", ["nchw"], ["output"])
        pool.attribute = [ONNXFixture.ints("kernel_shape", [2, 2]), ONNXFixture.int("ceil_mode", 1)]
        var transpose = ONNXFixture.node("to_nchw", "Transpose", ["input"], ["nchw"])
        transpose.attribute = [ONNXFixture.ints("perm", [0, 3, 1, 2])]
        let text = try ONNXFixture(nodes: [transpose, pool]).loadError()
        XCTAssertTrue(text.contains("pool_node") && text.contains("MaxPool") && text.contains("ceil_mode=1"), text)
    }

    /// The layout paths the two real models do not take, against a direct computation:
    /// explicit asymmetric pads, a depthwise kernel with multiplier 2 (+ absorbed Relu), a 1x1
    /// conv without bias, a Flatten of NCHW data (the dense rows are reordered) and a Gemm
    /// with transB, alpha and beta. Non-square, so that H and W cannot be swapped unnoticed.
    func testNCHWFlattenPadsAndGemmAgainstDirectComputation() throws {
        let (h, w, c, m, p) = (5, 6, 3, 2, 4)
        var random = FixtureRandom()
        let depthwise = random.values(c * m * 9), depthwiseBias = random.values(c * m)
        let pointwise = random.values(p * c * m), dense = random.values(2 * p * 6 * 5), denseBias = random.values(2)
        var transpose = ONNXFixture.node("to_nchw", "Transpose", ["input"], ["nchw"])
        transpose.attribute = [ONNXFixture.ints("perm", [0, 3, 1, 2])]
        var dw = ONNXFixture.node("dw", "Conv", ["nchw", "dw_w", "dw_b"], ["dw_out"])
        dw.attribute = [ONNXFixture.int("group", Int64(c)), ONNXFixture.ints("pads", [2, 0, 1, 1]), ONNXFixture.ints("kernel_shape", [3, 3])]
        var fc = ONNXFixture.node("fc", "Gemm", ["flat", "fc_w", "fc_b"], ["output"])
        fc.attribute = [ONNXFixture.int("transB", 1), ONNXFixture.float("alpha", 0.5), ONNXFixture.float("beta", 2)]
        var fixture = ONNXFixture(nodes: [
            transpose, dw,
            ONNXFixture.node("relu", "Relu", ["dw_out"], ["relu_out"]),
            ONNXFixture.node("pw", "Conv", ["relu_out", "pw_w"], ["pw_out"]),
            ONNXFixture.node("flatten", "Flatten", ["pw_out"], ["flat"]),
            fc,
        ])
        fixture.inputDims = [nil, Int64(h), Int64(w), Int64(c)]
        fixture.outputDims = [nil, 2]
        fixture.initializers = [
            ONNXFixture.tensor("dw_w", [c * m, 1, 3, 3], depthwise, raw: true),
            ONNXFixture.tensor("dw_b", [c * m], depthwiseBias, raw: false),
            ONNXFixture.tensor("pw_w", [p, c * m, 1, 1], pointwise, raw: true),
            ONNXFixture.tensor("fc_w", [2, p * 6 * 5], dense, raw: false),
            ONNXFixture.tensor("fc_b", [2], denseBias, raw: true),
        ]
        let model = try fixture.load()
        XCTAssertEqual(model.graph.nodes.map { Self.kind(of: $0.op) }, ["input", "zeroPadding", "depthwiseConv2D", "conv2D", "flatten", "dense"])
        XCTAssertEqual(model.graph.nodes[1].op, .zeroPadding([2, 1, 0, 1]))

        let input = random.values(h * w * c)
        // Depthwise (top 2, bottom 1, left 0, right 1 zero pads) + ReLU: out is 6 x 5 x (c*m).
        let (oh, ow) = (h + 3 - 2, w + 1 - 2)
        var hidden = [Float](repeating: 0, count: oh * ow * c * m)
        for y in 0..<oh {
            for x in 0..<ow {
                for o in 0..<(c * m) {
                    var sum = depthwiseBias[o]
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let (iy, ix) = (y + ky - 2, x + kx)
                            if iy >= 0 && iy < h && ix < w { sum += input[(iy * w + ix) * c + o / m] * depthwise[o * 9 + ky * 3 + kx] }
                        }
                    }
                    hidden[(y * ow + x) * c * m + o] = max(sum, 0)
                }
            }
        }
        // 1x1 conv, flattened in NCHW order, Gemm with transB, alpha 0.5, beta 2.
        var flat = [Float](repeating: 0, count: p * oh * ow)
        for y in 0..<oh {
            for x in 0..<ow {
                for q in 0..<p {
                    var sum: Float = 0
                    for o in 0..<(c * m) { sum += pointwise[q * c * m + o] * hidden[(y * ow + x) * c * m + o] }
                    flat[(q * oh + y) * ow + x] = sum
                }
            }
        }
        let expected = (0..<2).map { u in
            0.5 * (0..<flat.count).reduce(Float(0)) { $0 + dense[u * flat.count + $1] * flat[$1] } + 2 * denseBias[u]
        }
        let network = try Network(model: model, batchSize: 1, fuse: false)
        checkTensor(network.predict(input), expected, "fixture", tolerance: 1e-4)
    }

    static func kind(of op: Engine.Operation) -> String {
        String(String(describing: op).prefix { $0.isLetter || $0.isNumber })
    }
}

/// A tiny ONNX model built with the generated protobuf types: one NHWC image input
/// [N, 8, 8, 3], the given nodes, one output named "output".
struct ONNXFixture {
    var nodes: [Onnx_NodeProto]
    var initializers: [Onnx_TensorProto] = []
    var inputDims: [Int64?] = [nil, 8, 8, 3]
    var outputDims: [Int64?] = [nil, 3]

    init(nodes: [Onnx_NodeProto]) { self.nodes = nodes }

    static func node(_ name: String, _ opType: String, _ inputs: [String], _ outputs: [String]) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.name = name
        node.opType = opType
        node.input = inputs
        node.output = outputs
        return node
    }

    static func ints(_ name: String, _ values: [Int64]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values
        return attribute
    }

    static func int(_ name: String, _ value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = value
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    /// A float initializer, its data in raw_data (little-endian) or in float_data.
    static func tensor(_ name: String, _ dims: [Int], _ values: [Float], raw: Bool) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = dims.map { Int64($0) }
        tensor.dataType = 1   // FLOAT
        if raw {
            tensor.rawData = Data(values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern.littleEndian >> (8 * $0)) } })
        } else {
            tensor.floatData = values
        }
        return tensor
    }

    static func valueInfo(_ name: String, _ dims: [Int64?]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { value in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let value { dim.dimValue = value } else { dim.dimParam = "N" }
            return dim
        }
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = 1   // FLOAT
        tensorType.shape = shape
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensorType
        return info
    }

    func serialized() throws -> Data {
        var graph = Onnx_GraphProto()
        graph.name = "fixture"
        graph.node = nodes
        graph.initializer = initializers
        graph.input = [Self.valueInfo("input", inputDims)]
        graph.output = [Self.valueInfo("output", outputDims)]
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 13
        var model = Onnx_ModelProto()
        model.irVersion = 7
        model.opsetImport = [opset]
        model.graph = graph
        return try model.serializedData()
    }

    /// The model, written to a temporary file and read back by ModelLoader.
    func load() throws -> Model {
        let directory = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("fixture.onnx")
        try serialized().write(to: url)
        return try ModelLoader.load(path: url.path)
    }

    /// The message ModelLoader gives for the model ("loaded" if none).
    func loadError() throws -> String {
        do {
            _ = try load()
            return "loaded"
        } catch let error as ModelError {
            return error.message
        }
    }
}

/// Reproducible values in [-1, 1) for fixture weights and inputs.
struct FixtureRandom {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    mutating func values(_ count: Int) -> [Float] {
        (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }
}
