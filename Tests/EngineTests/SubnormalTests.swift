import Engine
import Foundation
import XCTest

/// The network computes with subnormal floats flushed to zero, as TensorFlow does, and
/// leaves the calling thread's floating-point mode as it found it.
final class SubnormalTests: XCTestCase {
    func testSubnormalsAreFlushedInsidePredictOnly() throws {
        // A 1x1x2 input, flattened, into Dense(1, linear): x0 * w0 + x1 * w1 + b.
        let nodes = [
            Node(name: "in", sourceClass: "InputLayer", op: .input(shape: [1, 1, 2]), inputs: []),
            Node(name: "f", sourceClass: "Flatten", op: .flatten, inputs: [0]),
            Node(name: "d", sourceClass: "Dense", op: .dense(DenseAttributes(units: 1)), inputs: [1],
                 weights: [WeightRef(offset: 0, shape: [2, 1]), WeightRef(offset: 2, shape: [1])]),
        ]
        let smallest = Float.leastNormalMagnitude   // 2^-126; anything smaller is subnormal
        let model = Model(graph: Graph(name: "g", nodes: nodes, output: 2), weights: [smallest / 4, 0.5, 0])
        let network = try Network(model: model, batchSize: 1)
        // The subnormal weight reads as 0, and 2^-126 x 0.5 = 2^-127 becomes 0: IEEE gives 3 x 2^-128.
        XCTAssertEqual(network.predict([1, smallest]), [0])
        // Afterwards this thread keeps subnormals again (a factor the compiler cannot fold).
        let half = Float(ProcessInfo.processInfo.processIdentifier > 0 ? 0.5 : 0.25)
        XCTAssertEqual(smallest * half, smallest / 2)
        XCTAssertNotEqual(smallest * half, 0)
    }
}
