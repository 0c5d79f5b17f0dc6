import Engine
import Foundation

/// Reads a Keras 3 `.keras` file (`model.save("x.keras")`): a zip archive with `config.json`
/// (the architecture) and `model.weights.h5`, which holds each layer's tensors as
/// `layers/<slot>/vars/0, 1, ...` in the layer's own order. The slot is Keras's name for the
/// layer's place in the model, its class in snake case, numbered (conv2d, conv2d_1, ...);
/// Keras 3 records the layer's name in the `name` attribute of `vars`, which this reader goes
/// by, and it derives the slots from the configuration's layer order for files without it.
public enum KerasArchiveReader {
    public static func read(path: String) throws(ModelError) -> Model {
        let archive = try ZipArchive(path: path, bytes: ModelLoader.contents(of: path))
        guard let configBytes = try archive.member("config.json") else {
            throw ModelError("\(path): a zip archive without config.json, not a Keras model")
        }
        guard let json = try? JSONSerialization.jsonObject(with: configBytes) as? [String: Any] else {
            throw ModelError("\(path): config.json is not a Keras model description")
        }
        guard let weightBytes = try archive.member("model.weights.h5") else {
            throw ModelError("\(path): no model.weights.h5 in the archive (weights saved as .npz are not read)")
        }
        let file = try HDF5File(image: weightBytes, path: "\(path) (model.weights.h5)")
        let groups = try layerGroups(file, json: json)
        return try KerasGraphReader.model(from: json, path: path, file: file) { layer, count throws(ModelError) in
            guard let group = groups[layer.name] else {
                if count == 0 { return [] }
                throw ModelError("layer '\(layer.name)' (\(layer.className)): no weights for it in model.weights.h5. HINT: weights and architecture do not match")
            }
            return file.memberNames(of: "\(group)/vars").indices.map { "\(group)/vars/\($0)" }
        }
    }

    /// The weights group of each layer, by layer name: from the `name` attributes, or (files
    /// without them) from the configuration's layer order.
    static func layerGroups(_ file: HDF5File, json: [String: Any]) throws(ModelError) -> [String: String] {
        var groups: [String: String] = [:]
        for slot in file.memberNames(of: "/layers") {
            if let name = try file.stringAttribute("name", of: "/layers/\(slot)/vars") { groups[name] = "/layers/\(slot)" }
        }
        if !groups.isEmpty { return groups }
        let layers = try layerConfigs(json)
        for (layer, slot) in zip(layers, slotNames(layers)) { groups[layer.name] = "/layers/\(slot)" }
        return groups
    }

    /// Keras's slot names for a model's layers, in order: the class name in snake case, then
    /// _1, _2, ... for later layers of the same class.
    static func slotNames(_ layers: [KerasLayerConfig]) -> [String] {
        var used: [String: Int] = [:]
        return layers.map { layer in
            let base = snakeCase(layer.className)
            defer { used[base, default: -1] += 1 }
            return used[base].map { "\(base)_\($0 + 1)" } ?? base
        }
    }

    /// Keras's `to_snake_case`: MaxPooling2D -> max_pooling2d, ReLU -> re_lu.
    static func snakeCase(_ name: String) -> String {
        var text = name.filter { $0.isLetter || $0.isNumber || $0 == "_" }
        for (pattern, template) in [("(.)([A-Z][a-z]+)", "$1_$2"), ("([a-z])([A-Z])", "$1_$2")] {
            let expression = try! NSRegularExpression(pattern: pattern)   // constant patterns
            text = expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return text.lowercased()
    }

    /// The configuration's layers; a Sequential model's InputLayer has no slot.
    static func layerConfigs(_ json: [String: Any]) throws(ModelError) -> [KerasLayerConfig] {
        let entries = (json["config"] as? [String: Any])?["layers"] as? [Any] ?? []
        let layers = try entries.map { entry throws(ModelError) in try KerasLayerConfig(entry) }
        return json["class_name"] as? String == "Sequential" ? layers.filter { $0.className != "InputLayer" } : layers
    }
}
