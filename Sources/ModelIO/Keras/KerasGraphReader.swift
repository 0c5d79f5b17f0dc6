import Engine
import Foundation

/// Where a layer's stored weight tensors are: their HDF5 dataset paths in Keras's order, given
/// the layer and how many tensors its configuration needs (for a format-specific message).
typealias KerasLayerDatasets = (KerasLayerConfig, Int) throws(ModelError) -> [String]

/// Appends a layer's weight tensors to the model's weight array and returns their shapes.
typealias KerasLayerWeights = (KerasLayerConfig, Int, inout [Float]) throws(ModelError) -> [[Int]]

/// Builds a Keras Sequential or Functional model from its JSON description, which Keras 2's
/// `model_config` attribute and Keras 3's `config.json` spell alike (up to the details handled
/// here and in KerasInbound), reading each layer's weights from `file` where the format's
/// reader says they are.
enum KerasGraphReader {
    static func model(from json: [String: Any], path: String, file: HDF5File, datasets: KerasLayerDatasets) throws(ModelError) -> Model {
        let weights: KerasLayerWeights = { layer, count, values throws(ModelError) in
            let paths = try datasets(layer, count)
            guard paths.count == count else {
                throw ModelError("layer '\(layer.name)' (\(layer.className)): the file stores \(paths.count) weight tensors, the configuration needs \(count). HINT: weights and architecture do not match")
            }
            return try paths.map { path throws(ModelError) in try file.floats(path, appendingTo: &values) }
        }
        guard let className = json["class_name"] as? String else {
            throw ModelError("\(path): the model configuration is not a Keras model description")
        }
        var builder = GraphBuilder()
        switch className {
        case "Sequential":
            try readSequential(json["config"], into: &builder, path: path, weights: weights)
            return try builder.finish(path: path)
        case "Functional", "Model":
            let output = try readFunctional(json["config"], into: &builder, path: path, weights: weights)
            return try builder.finish(path: path, output: output)
        default:
            throw ModelError("\(path): unsupported model class \(className) (Sequential and Functional are supported)")
        }
    }

    static func readSequential(_ config: Any?, into builder: inout GraphBuilder, path: String, weights: KerasLayerWeights) throws(ModelError) {
        // Keras 2 nests the layers in {"name", "layers"}; very old files have the bare list.
        let layerList = (config as? [String: Any])?["layers"] as? [Any] ?? config as? [Any]
        guard let layerList, !layerList.isEmpty else { throw ModelError("\(path): Sequential model has no layers") }
        builder.name = (config as? [String: Any])?["name"] as? String ?? "sequential"
        var previous: Int? = nil
        for entry in layerList {
            let layer = try KerasLayerConfig(entry)
            if previous == nil {
                let shape = try inputShape(of: layer)
                previous = builder.add(Node(name: layer.className == "InputLayer" ? layer.name : "input",
                                            sourceClass: "InputLayer", op: .input(shape: shape), inputs: []))
                if layer.className == "InputLayer" { continue }
            }
            if layer.className == "InputLayer" { throw ModelError("layer '\(layer.name)' (InputLayer): only allowed first") }
            let op = try KerasLayerConverter.operation(for: layer)
            let refs = try builder.addWeights { values throws(ModelError) in try weights(layer, KerasLayerConverter.weightCount(of: op), &values) }
            previous = builder.add(Node(name: layer.name, sourceClass: layer.className, op: op, inputs: [previous!], weights: refs))
        }
    }

    /// A Functional model: layers with `inbound_nodes`, in the file's order (which Keras
    /// writes topologically), one input and one output. A layer's output may feed several
    /// layers; a layer called more than once (shared weights) is not supported.
    /// Returns the output node.
    static func readFunctional(_ config: Any?, into builder: inout GraphBuilder, path: String, weights: KerasLayerWeights) throws(ModelError) -> Int {
        guard let config = config as? [String: Any], let layers = config["layers"] as? [Any], !layers.isEmpty else {
            throw ModelError("\(path): Functional model has no layers")
        }
        builder.name = config["name"] as? String ?? "functional"
        let inputs = KerasInbound.layerNames(config["input_layers"])
        let outputs = KerasInbound.layerNames(config["output_layers"])
        guard inputs.count == 1, outputs.count == 1 else {
            throw ModelError("\(path): \(inputs.count) inputs and \(outputs.count) outputs; one of each is supported")
        }
        var nodeOf: [String: Int] = [:]
        var pending = layers
        // Keras writes layers in topological order; tolerate any order by repeating passes.
        while !pending.isEmpty {
            var deferred: [Any] = []
            for entry in pending {
                let layer = try KerasLayerConfig(entry)
                let sources = try KerasInbound.sources(of: entry, layer: layer)
                if layer.className == "InputLayer" {
                    nodeOf[layer.name] = builder.add(Node(name: layer.name, sourceClass: "InputLayer", op: .input(shape: try inputShape(of: layer)), inputs: []))
                    continue
                }
                guard sources.allSatisfy({ nodeOf[$0] != nil }) else { deferred.append(entry); continue }
                let op = try KerasLayerConverter.operation(for: layer)
                let refs = try builder.addWeights { values throws(ModelError) in try weights(layer, KerasLayerConverter.weightCount(of: op), &values) }
                nodeOf[layer.name] = builder.add(Node(name: layer.name, sourceClass: layer.className, op: op,
                                                      inputs: sources.map { nodeOf[$0]! }, weights: refs))
            }
            if deferred.count == pending.count {
                let names = deferred.compactMap { try? KerasLayerConfig($0).name }.prefix(3)
                throw ModelError("\(path): layers \(names.joined(separator: ", ")) read inputs that no layer produces")
            }
            pending = deferred
        }
        guard nodeOf[inputs[0]] == 0 else { throw ModelError("\(path): the input layer \(inputs[0]) must come first") }
        guard let output = nodeOf[outputs[0]] else { throw ModelError("\(path): output layer \(outputs[0]) not found") }
        return output
    }

    /// [H, W, C] from `batch_input_shape` (Keras 2) or `batch_shape` (Keras 3). Whether C suits
    /// an image is checked once, for every format, by `InputGeometry(modelInput:)`.
    static func inputShape(of layer: KerasLayerConfig) throws(ModelError) -> [Int] {
        let raw = (layer.config["batch_input_shape"] ?? layer.config["batch_shape"]) as? [Any]
        let dims = raw?.dropFirst().compactMap { $0 as? Int } ?? []
        guard let raw, raw.count == 4, dims.count == 3, dims.allSatisfy({ $0 > 0 }) else {
            throw ModelError("layer '\(layer.name)' (\(layer.className)): the model input must be a fixed [height, width, channels] image, got \(String(describing: raw))")
        }
        return dims
    }
}
