import Engine
import Foundation
import ModelIO
import TestSupport
import XCTest

/// The Keras HDF5 reader on the real default model, layer by layer against Keras's own outputs.
final class KerasReaderTests: XCTestCase {
    func testReadsTheDefaultModel() throws {
        let model = try ModelLoader.load(path: TestData.catsordogsModel.path)
        XCTAssertEqual(model.graph.inputShape, [256, 256, 1])
        XCTAssertEqual(model.graph.nodes.map(\.sourceClass),
                       ["InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense"])
        XCTAssertEqual(model.graph.nodes[8].weights.map(\.shape), [[14400, 256], [256]])
        // 3x3x1x16+16 + 3x3x16x32+32 + 3x3x32x16+16 + 14400x256+256 + 256+1 trainable floats.
        XCTAssertEqual(model.weights.count, 160 + 4640 + 4624 + 3_686_656 + 257)
        let shapes = try ShapeInference.shapes(of: model.graph, weightCount: model.weights.count)
        XCTAssertEqual(shapes.last, [1])
    }

    /// Every layer's output for cat.10.jpg against the tensors Keras computed.
    func testEveryLayerMatchesKeras() throws {
        let model = try ModelLoader.load(path: TestData.catsordogsModel.path)
        let network = try Network(model: model, batchSize: 4, fuse: false)
        let input = try readNPY(TestData.goldens.appendingPathComponent("input_catsordogs_cat.10.npy"))
        let outputs = network.layerOutputs(input.values)
        let files = try FileManager.default.contentsOfDirectory(atPath: TestData.goldens.path)
            .filter { $0.hasPrefix("layers_catsordogs_cat.10_") }.sorted()
        XCTAssertEqual(files.count, 9)
        for (k, file) in files.enumerated() {
            let golden = try readNPY(TestData.goldens.appendingPathComponent(file))
            let node = model.graph.nodes[k + 1]
            XCTAssertTrue(file.hasSuffix("_\(node.name).npy"), "\(file) vs node \(node.name)")
            XCTAssertEqual(network.shapes[k + 1], golden.shape, node.name)
            let scale = max(golden.values.map(abs).max() ?? 1, 1)
            checkTensor(outputs[k + 1], golden.values, node.name, tolerance: 2e-6 * scale)
        }
    }

    func testBufferRoundTripRebuildsTheSameNetwork() throws {
        let model = try ModelLoader.load(path: TestData.catsordogsModel.path)
        let header = ModelBuffer.header(of: model)
        XCTAssertEqual(try ModelBuffer.decode(header: header, weights: model.weights), model)
        XCTAssertThrowsError(try ModelBuffer.decode(header: header, weights: Array(model.weights.dropLast())))
        XCTAssertThrowsError(try ModelBuffer.decode(header: Array(header.dropLast(4)), weights: model.weights))
        XCTAssertThrowsError(try ModelBuffer.decode(header: Array("not a model".utf8), weights: []))
    }
}

/// Bad model files: one clear line naming the problem.
final class BadModelTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testMissingFile() {
        let text = loadingMessage(directory.appendingPathComponent("nope.h5"))
        XCTAssertTrue(text.contains("nope.h5") && text.contains("No such file"), text)
    }

    func testNotHDF5() throws {
        let url = directory.appendingPathComponent("model.h5")
        try Data("just text".utf8).write(to: url)
        XCTAssertTrue(loadingMessage(url).contains("not a model file"), loadingMessage(url))
    }

    func testTruncatedHDF5() throws {
        let url = directory.appendingPathComponent("model.h5")
        let bytes = try Data(contentsOf: TestData.catsordogsModel)
        try bytes.prefix(bytes.count / 2).write(to: url)
        let text = loadingMessage(url)
        XCTAssertNotEqual(text, "loaded")
        XCTAssertTrue(text.contains("model.h5"), text)
    }

    func testHDF5WithoutModelConfig() throws {
        let url = try HDF5Fixture.model(in: directory, editingConfig: nil)
        XCTAssertTrue(loadingMessage(url).contains("no model_config"), loadingMessage(url))
    }

    func testUnsupportedLayerIsNamed() throws {
        let url = try HDF5Fixture.model(in: directory) { $0.replacingOccurrences(of: "\"class_name\": \"MaxPooling2D\", \"config\": {\"name\": \"max_pooling2d_13\"",
                                                                                with: "\"class_name\": \"LSTM\", \"config\": {\"name\": \"max_pooling2d_13\"") }
        let text = loadingMessage(url)
        XCTAssertTrue(text.contains("max_pooling2d_13") && text.contains("LSTM"), text)
    }

    func testUnsupportedSettingIsNamed() throws {
        let url = try HDF5Fixture.model(in: directory) { $0.replacingOccurrences(of: "\"padding\": \"valid\"", with: "\"padding\": \"causal\"") }
        let text = loadingMessage(url)
        XCTAssertTrue(text.contains("conv2d_12") && text.contains("padding=causal"), text)
    }

    func testWeightsNotMatchingTheConfig() throws {
        let url = try HDF5Fixture.model(in: directory) { $0.replacingOccurrences(of: "\"filters\": 32", with: "\"filters\": 33") }
        let text = loadingMessage(url)
        XCTAssertTrue(text.contains("conv2d_13") && text.contains("HINT"), text)
    }
}

/// The Functional MobileNetV2 (batch norm, depthwise, ReLU6, residual adds, padding,
/// global pooling) against Keras's logits for the four golden input tensors.
final class FunctionalModelTests: XCTestCase {
    static let model = TestData.shared.appendingPathComponent("models/mobilenetv2_catdog.h5")

    func kerasLogits(_ stem: String) throws -> [Float] {
        let rows = try TestData.csvRows(TestData.goldens.appendingPathComponent("keras_predictions.csv"))
        let row = rows.first { $0["file"]!.hasSuffix("/\(stem).jpg") }!
        return [Float(row["mobilenetv2_logit_cat"]!)!, Float(row["mobilenetv2_logit_dog"]!)!]
    }

    func testReadsTheGraph() throws {
        let model = try ModelLoader.load(path: Self.model.path)
        XCTAssertEqual(model.graph.inputShape, [224, 224, 3])
        let classes = Dictionary(grouping: model.graph.nodes, by: \.sourceClass).mapValues(\.count)
        XCTAssertEqual(classes["BatchNormalization"], 52)
        XCTAssertEqual(classes["DepthwiseConv2D"], 17)
        XCTAssertEqual(classes["Add"], 10)
        XCTAssertEqual(try ShapeInference.shapes(of: model.graph, weightCount: model.weights.count)[model.graph.output], [2])
    }

    func testLogitsMatchKeras() throws {
        let model = try ModelLoader.load(path: Self.model.path)
        for fuse in [true, false] {
            let network = try Network(model: model, batchSize: 4, fuse: fuse)
            for stem in TestData.goldenInputStems {
                let input = try readNPY(TestData.goldens.appendingPathComponent("input_mobilenetv2_\(stem).npy"))
                checkTensor(network.predict(input.values), try kerasLogits(stem), "MobileNetV2 \(stem) fuse=\(fuse)", tolerance: 1e-3)
            }
        }
    }

    /// Its 16 expand-depthwise-project blocks and Conv1 with the first depthwise and project
    /// run band by band: the very floats of the separate steps, with the default bands and
    /// with one output row per band.
    func testBandedBlocksGiveTheSeparateStepsFloats() throws {
        let model = try ModelLoader.load(path: Self.model.path)
        var separate = Network.Options.fastest
        separate.bandedBlocks = false
        var rowByRow = Network.Options.fastest
        rowByRow.bandBytes = 1
        let expected = try Network(model: model, batchSize: 4, options: separate)
        let inputs = try TestData.goldenInputStems.flatMap { try readNPY(TestData.goldens.appendingPathComponent("input_mobilenetv2_\($0).npy")).values }
        for options in [Network.Options.fastest, rowByRow] {
            let banded = try Network(model: model, batchSize: 4, options: options)
            let steps = banded.profile(input: Array(inputs.prefix(224 * 224 * 3)), repeats: 1)
            XCTAssertEqual(steps.filter { $0.contains("in bands of") }.count, 17, "\(steps)")
            XCTAssertEqual(banded.predict(inputs), expected.predict(inputs), "bands of at most \(options.bandBytes) bytes")
        }
    }
}
