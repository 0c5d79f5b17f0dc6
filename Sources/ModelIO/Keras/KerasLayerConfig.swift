import Engine
import Foundation

/// One Keras layer's JSON config with typed getters whose errors name the layer.
struct KerasLayerConfig {
    let className: String
    let name: String
    let config: [String: Any]

    init(_ json: Any) throws(ModelError) {
        guard let layer = json as? [String: Any], let className = layer["class_name"] as? String,
              let config = layer["config"] as? [String: Any] else {
            throw ModelError("model_config: a layer entry has no class_name/config")
        }
        self.className = className
        self.config = config
        name = config["name"] as? String ?? (layer["name"] as? String ?? className)
    }

    func unsupported(_ setting: String) -> ModelError {
        ModelError("layer '\(name)' (\(className)): unsupported setting \(setting)")
    }

    func int(_ key: String) throws(ModelError) -> Int {
        guard let value = config[key] as? Int else { throw ModelError("layer '\(name)' (\(className)): missing integer '\(key)'") }
        return value
    }

    func bool(_ key: String, default fallback: Bool) -> Bool { config[key] as? Bool ?? fallback }

    func string(_ key: String, default fallback: String) -> String { config[key] as? String ?? fallback }

    /// A pair such as kernel_size or strides; Keras accepts a single number too.
    func pair(_ key: String, default fallback: [Int]? = nil) throws(ModelError) -> [Int] {
        if let values = config[key] as? [Int], values.count == 2, values.allSatisfy({ $0 > 0 }) { return values }
        if let value = config[key] as? Int, value > 0 { return [value, value] }
        if let fallback, config[key] == nil || config[key] is NSNull { return fallback }
        throw ModelError("layer '\(name)' (\(className)): '\(key)' must be two positive integers, got \(String(describing: config[key] ?? "nothing"))")
    }

    /// ZeroPadding2D's padding as [top, bottom, left, right]: n, (rows, columns) or ((top, bottom), (left, right)).
    func padding2D() throws(ModelError) -> [Int] {
        let value = config["padding"]
        if let n = value as? Int { return [n, n, n, n] }
        if let pair = value as? [Int], pair.count == 2 { return [pair[0], pair[0], pair[1], pair[1]] }
        if let pairs = value as? [[Int]], pairs.count == 2, pairs.allSatisfy({ $0.count == 2 }) {
            return [pairs[0][0], pairs[0][1], pairs[1][0], pairs[1][1]]
        }
        throw unsupported("padding=\(String(describing: value))")
    }

    /// A number or a list of numbers, as floats.
    func floats(_ key: String, default fallback: [Float]? = nil) throws(ModelError) -> [Float] {
        if let value = config[key] as? Double { return [Float(value)] }
        if let values = config[key] as? [Double] { return values.map(Float.init) }
        if let fallback, config[key] == nil { return fallback }
        throw unsupported("\(key)=\(String(describing: config[key]))")
    }

    func padding() throws(ModelError) -> Padding {
        let value = string("padding", default: "valid")
        guard let padding = Padding(rawValue: value) else { throw unsupported("padding=\(value)") }
        return padding
    }

    func requireChannelsLast() throws(ModelError) {
        let format = string("data_format", default: "channels_last")
        if format != "channels_last" { throw unsupported("data_format=\(format)") }
    }

    /// `activation` as a name (Keras 2) or a serialized object (Keras 3).
    func activation(_ key: String = "activation") throws(ModelError) -> Activation {
        var value = "linear"
        if let name = config[key] as? String { value = name }
        else if let object = config[key] as? [String: Any] {
            value = (object["config"] as? [String: Any])?["name"] as? String ?? object["class_name"] as? String ?? "?"
        }
        guard let activation = Activation(rawValue: value) else { throw unsupported("\(key)=\(value)") }
        return activation
    }
}

