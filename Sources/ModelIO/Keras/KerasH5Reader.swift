import Engine
import Foundation

/// Reads a Keras HDF5 model file (`model.save("x.h5")`, Keras 2 or 3): the `model_config`
/// JSON attribute for the architecture and `model_weights/<layer>/<weight_names...>` for the
/// weights, in `weight_names` order. Optimizer state is ignored.
public enum KerasH5Reader {
    public static func read(path: String) throws(ModelError) -> Model {
        let file = try HDF5File(path: path)
        guard let configText = try file.stringAttribute("model_config") else {
            throw ModelError("\(path): HDF5 file has no model_config attribute (saved with save_weights? save the whole model)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any] else {
            throw ModelError("\(path): model_config is not a Keras model description")
        }
        return try KerasGraphReader.model(from: json, path: path, file: file) { layer, _ throws(ModelError) in
            let group = "/model_weights/\(layer.name)"
            return (try file.stringsAttribute("weight_names", of: group) ?? []).map { "\(group)/\($0)" }
        }
    }
}
