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
            let maxValue = (layer.config["max_value"] as? Double).map { Float($0) }
            let slope = Float(layer.config["negative_slope"] as? Double ?? 0)
            let threshold = Float(layer.config["threshold"] as? Double ?? 0)
            if maxValue == nil && slope == 0 && threshold == 0 { return .activation(.relu) }
            return .relu(ReLUAttributes(maxValue: maxValue, negativeSlope: slope, threshold: threshold))
        case "Softmax":
            let axis = layer.config["axis"] as? Int ?? -1
            if axis != -1 { throw layer.unsupported("axis=\(axis)") }
            return .activation(.softmax)
        case "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout":
            return .identity
        case "DepthwiseConv2D":
            try layer.requireChannelsLast()
            return .depthwiseConv2D(DepthwiseConv2DAttributes(
                depthMultiplier: (layer.config["depth_multiplier"] as? Int) ?? 1, kernel: try layer.pair("kernel_size"),
                strides: try layer.pair("strides", default: [1, 1]), dilation: try layer.pair("dilation_rate", default: [1, 1]),
                padding: try layer.padding(), useBias: layer.bool("use_bias", default: true), activation: try layer.activation()))
        case "BatchNormalization":
            let axis = (layer.config["axis"] as? [Int])?.first ?? (layer.config["axis"] as? Int) ?? -1
            if axis != -1 && axis != 3 { throw layer.unsupported("axis=\(axis) (only the channel axis)") }
            return .batchNormalization(BatchNormalizationAttributes(
                epsilon: Float(layer.config["epsilon"] as? Double ?? 0.001),
                scale: layer.bool("scale", default: true), center: layer.bool("center", default: true)))
        case "Add":
            return .add
        case "Multiply":
            return .multiply
        case "Concatenate":
            let axis = layer.config["axis"] as? Int ?? -1
            if axis != -1 && axis != 3 { throw layer.unsupported("axis=\(axis) (only the channel axis)") }
            return .concatenate
        case "ZeroPadding2D":
            try layer.requireChannelsLast()
            return .zeroPadding(try layer.padding2D())
        case "GlobalAveragePooling2D":
            try layer.requireChannelsLast()
            return .globalAveragePooling(keepDims: layer.bool("keepdims", default: false))
        case "Rescaling":
            return .rescaling(scale: try layer.floats("scale"), offset: try layer.floats("offset", default: [0]))
        case "Reshape":
            guard let shape = layer.config["target_shape"] as? [Int] else { throw layer.unsupported("target_shape=\(String(describing: layer.config["target_shape"]))") }
            return .reshape(shape)
        default:
            throw ModelError("layer '\(layer.name)' (\(layer.className)): unsupported layer class \(layer.className)")
        }
    }

    /// How many weight tensors the operation stores in the file.
    static func weightCount(of op: Operation) -> Int {
        switch op {
        case .conv2D(let a): return a.useBias ? 2 : 1
        case .depthwiseConv2D(let a): return a.useBias ? 2 : 1
        case .dense(let a): return a.useBias ? 2 : 1
        case .batchNormalization(let a): return (a.scale ? 1 : 0) + (a.center ? 1 : 0) + 2
        default: return 0
        }
    }
}
