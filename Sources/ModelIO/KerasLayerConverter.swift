import Engine

/// Keras layer class -> engine operation, and the weights it stores (in Keras's order).
/// Anything the engine cannot run exactly is refused with the layer, its class and the setting.
enum KerasLayerConverter {
    static func operation(for layer: KerasLayerConfig) throws(ModelError) -> Operation {
        switch layer.className {
        case "Conv2D":
            try layer.requireChannelsLast()
            let groups = (layer.config["groups"] as? Int) ?? 1
            if groups != 1 { throw layer.unsupported("groups=\(groups)") }
            return .conv2D(Conv2DAttributes(
                filters: try layer.int("filters"), kernel: try layer.pair("kernel_size"),
                strides: try layer.pair("strides", default: [1, 1]), dilation: try layer.pair("dilation_rate", default: [1, 1]),
                padding: try layer.padding(), useBias: layer.bool("use_bias", default: true), activation: try layer.activation()))
        case "MaxPooling2D", "AveragePooling2D":
            try layer.requireChannelsLast()
            let size = try layer.pair("pool_size", default: [2, 2])
            return .pool(PoolAttributes(kind: layer.className == "MaxPooling2D" ? .max : .average, size: size,
                                        strides: try layer.pair("strides", default: size), padding: try layer.padding()))
        case "Dense":
            return .dense(DenseAttributes(units: try layer.int("units"), useBias: layer.bool("use_bias", default: true),
                                          activation: try layer.activation()))
        case "Flatten":
            try layer.requireChannelsLast()
            return .flatten
        case "Activation":
            return .activation(try layer.activation())
        case "ReLU":
            let maxValue = layer.config["max_value"] as? Double
            let slope = layer.config["negative_slope"] as? Double ?? 0
            let threshold = layer.config["threshold"] as? Double ?? 0
            if let maxValue { throw layer.unsupported("max_value=\(maxValue)") }
            if slope != 0 { throw layer.unsupported("negative_slope=\(slope)") }
            if threshold != 0 { throw layer.unsupported("threshold=\(threshold)") }
            return .activation(.relu)
        case "Dropout", "SpatialDropout2D":
            return .identity
        default:
            throw ModelError("layer '\(layer.name)' (\(layer.className)): unsupported layer class \(layer.className)")
        }
    }

    /// How many weight tensors the operation stores in the file.
    static func weightCount(of op: Operation) -> Int {
        switch op {
        case .conv2D(let a): return a.useBias ? 2 : 1
        case .dense(let a): return a.useBias ? 2 : 1
        default: return 0
        }
    }
}
