import Engine
import Foundation

/// Reads a Keras 2 HDF5 model file (`model.save("x.h5")`): the `model_config` JSON
/// attribute for the architecture and `model_weights/<layer>/<weight_names...>` for the
/// weights, in `weight_names` order. Optimizer state is ignored.
public enum KerasH5Reader {
    public static func read(path: String) throws(ModelError) -> Model {
        let file = try HDF5File(path: path)
        guard let configText = try file.stringAttribute("model_config") else {
            throw ModelError("\(path): HDF5 file has no model_config attribute (saved with save_weights? save the whole model)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any],
              let className = json["class_name"] as? String else {
            throw ModelError("\(path): model_config is not a Keras model description")
        }
        var builder = GraphBuilder()
        switch className {
        case "Sequential":
            try readSequential(json["config"], into: &builder, file: file)
        default:
            throw ModelError("\(path): unsupported model class \(className) (Sequential is supported)")
        }
        return try builder.finish(path: path)
    }

    static func readSequential(_ config: Any?, into builder: inout GraphBuilder, file: HDF5File) throws(ModelError) {
        // Keras 2 nests the layers in {"name", "layers"}; very old files have the bare list.
        let layerList = (config as? [String: Any])?["layers"] as? [Any] ?? config as? [Any]
        guard let layerList, !layerList.isEmpty else { throw ModelError("\(file.path): Sequential model has no layers") }
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
            let weights = try readWeights(of: layer, count: KerasLayerConverter.weightCount(of: op), file: file, builder: &builder)
            previous = builder.add(Node(name: layer.name, sourceClass: layer.className, op: op, inputs: [previous!], weights: weights))
        }
    }

    /// [H, W, C] from `batch_input_shape` (Keras 2) or `batch_shape` (Keras 3).
    static func inputShape(of layer: KerasLayerConfig) throws(ModelError) -> [Int] {
        let raw = (layer.config["batch_input_shape"] ?? layer.config["batch_shape"]) as? [Any]
        let dims = raw?.dropFirst().compactMap { $0 as? Int } ?? []
        guard let raw, raw.count == 4, dims.count == 3, dims.allSatisfy({ $0 > 0 }) else {
            throw ModelError("layer '\(layer.name)' (\(layer.className)): the model input must be a fixed [height, width, channels] image, got \(String(describing: raw))")
        }
        guard dims[2] == 1 || dims[2] == 3 else {
            throw ModelError("layer '\(layer.name)' (\(layer.className)): input has \(dims[2]) channels; images give 1 (grey) or 3 (RGB)")
        }
        return dims
    }

    /// The layer's stored weights, in its weight_names order, appended to the builder.
    static func readWeights(of layer: KerasLayerConfig, count: Int, file: HDF5File,
                            builder: inout GraphBuilder) throws(ModelError) -> [WeightRef] {
        let group = "/model_weights/\(layer.name)"
        let names = try file.stringsAttribute("weight_names", of: group) ?? []
        guard names.count == count else {
            throw ModelError("layer '\(layer.name)' (\(layer.className)): the file stores \(names.count) weight tensors, the configuration needs \(count). HINT: weights and architecture do not match")
        }
        var refs: [WeightRef] = []
        for name in names {
            let (shape, values) = try file.floats("\(group)/\(name)")
            refs.append(builder.addWeights(values, shape: shape))
        }
        return refs
    }
}
