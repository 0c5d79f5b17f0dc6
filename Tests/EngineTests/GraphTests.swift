import Engine
import XCTest

/// Shape inference refuses graphs that cannot run, naming the layer.
final class GraphTests: XCTestCase {
    func graph(_ nodes: [Node]) -> Graph { Graph(name: "g", nodes: nodes, output: nodes.count - 1) }
    let input = Node(name: "in", sourceClass: "InputLayer", op: .input(shape: [8, 8, 1]), inputs: [])

    func testShapesOfASmallCNN() throws {
        let conv = Node(name: "c", sourceClass: "Conv2D", op: .conv2D(Conv2DAttributes(filters: 4, kernel: [3, 3], padding: .same)),
                        inputs: [0], weights: [WeightRef(offset: 0, shape: [3, 3, 1, 4]), WeightRef(offset: 36, shape: [4])])
        let pool = Node(name: "p", sourceClass: "MaxPooling2D", op: .pool(PoolAttributes(kind: .max, size: [2, 2], strides: [2, 2])), inputs: [1])
        let flat = Node(name: "f", sourceClass: "Flatten", op: .flatten, inputs: [2])
        let dense = Node(name: "d", sourceClass: "Dense", op: .dense(DenseAttributes(units: 1, activation: .sigmoid)), inputs: [3],
                         weights: [WeightRef(offset: 40, shape: [64, 1]), WeightRef(offset: 104, shape: [1])])
        let shapes = try ShapeInference.shapes(of: graph([input, conv, pool, flat, dense]), weightCount: 105)
        XCTAssertEqual(shapes, [[8, 8, 1], [8, 8, 4], [4, 4, 4], [64], [1]])
    }

    func testWrongWeightShapeNamesTheLayer() {
        let conv = Node(name: "conv_a", sourceClass: "Conv2D", op: .conv2D(Conv2DAttributes(filters: 4, kernel: [3, 3])),
                        inputs: [0], weights: [WeightRef(offset: 0, shape: [3, 3, 2, 4]), WeightRef(offset: 72, shape: [4])])
        XCTAssertThrowsError(try ShapeInference.shapes(of: graph([input, conv]), weightCount: 76)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("layer 'conv_a' (Conv2D)") && message.contains("HINT"), message)
        }
    }

    func testDenseOnSpatialInputIsRefused() {
        let dense = Node(name: "d", sourceClass: "Dense", op: .dense(DenseAttributes(units: 1)), inputs: [0],
                         weights: [WeightRef(offset: 0, shape: [64, 1]), WeightRef(offset: 64, shape: [1])])
        XCTAssertThrowsError(try ShapeInference.shapes(of: graph([input, dense]), weightCount: 65)) { error in
            XCTAssertTrue("\(error)".contains("Flatten"), "\(error)")
        }
    }

    func testWeightsOutsideTheDataAreRefused() {
        let conv = Node(name: "c", sourceClass: "Conv2D", op: .conv2D(Conv2DAttributes(filters: 4, kernel: [3, 3])),
                        inputs: [0], weights: [WeightRef(offset: 0, shape: [3, 3, 1, 4]), WeightRef(offset: 36, shape: [4])])
        XCTAssertThrowsError(try ShapeInference.shapes(of: graph([input, conv]), weightCount: 20))
    }

    func testSamePaddingSplitsLikeTensorFlow() {
        // in 5, kernel 4, stride 1 -> total 3: 1 before, 2 after.
        XCTAssertEqual(ShapeInference.padBefore(5, kernel: 4, stride: 1, dilation: 1, padding: .same), 1)
        XCTAssertEqual(ShapeInference.outputSize(7, kernel: 3, stride: 2, dilation: 1, padding: .same), 4)
        XCTAssertEqual(ShapeInference.outputSize(7, kernel: 3, stride: 2, dilation: 1, padding: .valid), 3)
    }
}

/// The network input is read in place by a first convolution, and copied for any other
/// reader: here a Flatten (which aliases the input's floats) feeding the batch's Dense.
final class NetworkInputTests: XCTestCase {
    func testInputReadThroughAFlattenReachesTheDenseLayer() throws {
        let input = Node(name: "in", sourceClass: "InputLayer", op: .input(shape: [2, 2, 1]), inputs: [])
        let flat = Node(name: "f", sourceClass: "Flatten", op: .flatten, inputs: [0])
        let dense = Node(name: "d", sourceClass: "Dense", op: .dense(DenseAttributes(units: 2)), inputs: [1],
                         weights: [WeightRef(offset: 0, shape: [4, 2]), WeightRef(offset: 8, shape: [2])])
        let kernel: [Float] = [1, 0, 2, 0, 3, 0, 4, 1], bias: [Float] = [0.5, -1]
        let model = Model(graph: Graph(name: "g", nodes: [input, flat, dense], output: 2), weights: kernel + bias)
        let network = try Network(model: model, batchSize: 4)
        let images: [Float] = [1, 2, 3, 4, 0, 0, 0, 1, -1, 1, -1, 1]
        // out[u] = sum_k x[k] * kernel[k][u] + bias[u]
        XCTAssertEqual(network.predict(images), [30.5, 3, 4.5, 0, 2.5, 0])
    }
}
