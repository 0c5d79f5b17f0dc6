import Engine

/// Collects nodes and weights while a reader walks a model file, then checks the result.
struct GraphBuilder {
    var name = "model"
    private(set) var nodes: [Node] = []
    private(set) var weights: [Float] = []

    mutating func add(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    mutating func addWeights(_ values: [Float], shape: [Int]) -> WeightRef {
        let ref = WeightRef(offset: weights.count, shape: shape)
        weights.append(contentsOf: values)
        return ref
    }

    /// Tensors that `append` writes to the end of the weight array itself, returning their shapes.
    mutating func addWeights(_ append: (inout [Float]) throws(ModelError) -> [[Int]]) throws(ModelError) -> [WeightRef] {
        var offset = weights.count
        let shapes = try append(&weights)
        let refs = shapes.map { shape in
            defer { offset += shape.reduce(1, *) }
            return WeightRef(offset: offset, shape: shape)
        }
        precondition(offset == weights.count, "appended floats and shapes disagree")
        return refs
    }

    /// The model, after shape inference has checked every node and weight shape.
    func finish(path: String, output: Int? = nil) throws(ModelError) -> Model {
        let model = Model(graph: Graph(name: name, nodes: nodes, output: output ?? nodes.count - 1), weights: weights)
        do {
            _ = try ShapeInference.shapes(of: model.graph, weightCount: weights.count)
        } catch {
            throw ModelError("\(path): \(error.message)")
        }
        return model
    }
}
