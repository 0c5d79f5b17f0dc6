// The network the engine runs: a DAG of nodes in topological order, plus one
// contiguous array of weights. This is what rank 0 broadcasts (see ModelIO's
// ModelBuffer) and what every rank builds a `Network` from.
//
// Shapes: one image at a time, channels last. A spatial tensor is [H, W, C];
// a flat one is [F]. The batch dimension N is added by the executor.

/// A model: the graph and the weights its nodes point into.
public struct Model: Equatable, Sendable {
    public var graph: Graph
    public var weights: [Float]
    public init(graph: Graph, weights: [Float]) {
        self.graph = graph; self.weights = weights
    }
}

public struct Graph: Codable, Equatable, Sendable {
    /// The model's name in its file (e.g. Keras `sequential_4`).
    public var name: String
    /// Node 0 is always the input; every node reads only earlier nodes.
    public var nodes: [Node]
    /// The node whose output is the model's output.
    public var output: Int

    public init(name: String, nodes: [Node], output: Int) {
        self.name = name; self.nodes = nodes; self.output = output
    }

    /// The input shape [H, W, C] (node 0 is `.input`).
    public var inputShape: [Int] {
        if case .input(let shape) = nodes.first?.op { return shape }
        return []
    }
}

public struct Node: Codable, Equatable, Sendable {
    /// The layer's name and class in the source file, for messages (`conv2d_12`, `Conv2D`).
    public var name: String
    public var sourceClass: String
    public var op: Operation
    /// Indices of the nodes this one reads, in the operation's argument order.
    public var inputs: [Int]
    /// Weight tensors in the operation's documented order (e.g. kernel, bias).
    public var weights: [WeightRef]

    public init(name: String, sourceClass: String, op: Operation, inputs: [Int], weights: [WeightRef] = []) {
        self.name = name; self.sourceClass = sourceClass; self.op = op; self.inputs = inputs; self.weights = weights
    }
}

/// A tensor inside `Model.weights`: `shape.product` floats from `offset`, row-major.
public struct WeightRef: Codable, Equatable, Sendable {
    public var offset: Int
    public var shape: [Int]
    public init(offset: Int, shape: [Int]) { self.offset = offset; self.shape = shape }
    public var count: Int { shape.reduce(1, *) }
}
