/// What a node computes. Weight layouts are Keras's (the readers convert other
/// formats to them once, at load).
public enum Operation: Codable, Equatable, Sendable {
    /// The model input, shape [H, W, C].
    case input(shape: [Int])
    /// weights: kernel [KH, KW, C, OC], then bias [OC] if `useBias`.
    case conv2D(Conv2DAttributes)
    /// Max or average pooling over windows of one channel.
    case pool(PoolAttributes)
    /// weights: kernel [F, UNITS], then bias [UNITS] if `useBias`. Input flat [F].
    case dense(DenseAttributes)
    /// [H, W, C] -> [H * W * C] in row-major (NHWC) order, as Keras channels_last.
    case flatten
    case activation(Activation)
    /// Dropout and friends: nothing at inference.
    case identity
    /// weights: depthwise kernel [KH, KW, C, M] (M = depth multiplier), then bias [C*M] if `useBias`.
    case depthwiseConv2D(DepthwiseConv2DAttributes)
    /// Inference batch norm: y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, per channel.
    /// weights: gamma [C] (if `scale`), beta [C] (if `center`), moving mean [C], moving variance [C].
    case batchNormalization(BatchNormalizationAttributes)
    /// y = min(max(x, threshold... ) ...): Keras ReLU with max_value / negative_slope / threshold.
    case relu(ReLUAttributes)
    /// y = min(max(x, lower), upper) (ONNX Clip).
    case clip(lower: Float, upper: Float)
    /// Elementwise sum of all inputs (same shape).
    case add
    /// Elementwise product of two inputs; the second may be [C] or [1, 1, C], broadcast over H and W.
    case multiply
    /// Joins inputs along the channel (last) axis.
    case concatenate
    /// Zeros around the image: [top, bottom, left, right].
    case zeroPadding([Int])
    /// Mean over H and W: [H, W, C] -> [C], or [1, 1, C] with `keepDims`.
    case globalAveragePooling(keepDims: Bool)
    /// y = x * scale + offset (Keras Rescaling); one value, or one per channel.
    case rescaling(scale: [Float], offset: [Float])
    /// The same floats in another shape (row-major, channels last), without the batch axis.
    case reshape([Int])
}

public enum Padding: String, Codable, Sendable {
    case valid, same
}

public enum Activation: String, Codable, Sendable, CaseIterable {
    case linear, relu, sigmoid, softmax, tanh
}

public struct Conv2DAttributes: Codable, Equatable, Sendable {
    public var filters: Int
    public var kernel: [Int]      // [KH, KW]
    public var strides: [Int]     // [SH, SW]
    public var dilation: [Int]    // [DH, DW]
    public var padding: Padding
    public var useBias: Bool
    public var activation: Activation

    public init(filters: Int, kernel: [Int], strides: [Int] = [1, 1], dilation: [Int] = [1, 1],
                padding: Padding = .valid, useBias: Bool = true, activation: Activation = .linear) {
        self.filters = filters; self.kernel = kernel; self.strides = strides; self.dilation = dilation
        self.padding = padding; self.useBias = useBias; self.activation = activation
    }
}

public struct PoolAttributes: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case max, average }
    public var kind: Kind
    public var size: [Int]        // [PH, PW]
    public var strides: [Int]     // [SH, SW]
    public var padding: Padding

    public init(kind: Kind, size: [Int], strides: [Int], padding: Padding = .valid) {
        self.kind = kind; self.size = size; self.strides = strides; self.padding = padding
    }
}

public struct DepthwiseConv2DAttributes: Codable, Equatable, Sendable {
    public var depthMultiplier: Int
    public var kernel: [Int]      // [KH, KW]
    public var strides: [Int]
    public var dilation: [Int]
    public var padding: Padding
    public var useBias: Bool
    public var activation: Activation

    public init(depthMultiplier: Int = 1, kernel: [Int], strides: [Int] = [1, 1], dilation: [Int] = [1, 1],
                padding: Padding = .valid, useBias: Bool = true, activation: Activation = .linear) {
        self.depthMultiplier = depthMultiplier; self.kernel = kernel; self.strides = strides; self.dilation = dilation
        self.padding = padding; self.useBias = useBias; self.activation = activation
    }
}

public struct BatchNormalizationAttributes: Codable, Equatable, Sendable {
    public var epsilon: Float
    public var scale: Bool        // has gamma
    public var center: Bool       // has beta
    public init(epsilon: Float, scale: Bool = true, center: Bool = true) {
        self.epsilon = epsilon; self.scale = scale; self.center = center
    }
}

/// Keras ReLU: y = x >= threshold ? min(x, maxValue) : negativeSlope * (x - threshold).
public struct ReLUAttributes: Codable, Equatable, Sendable {
    public var maxValue: Float?
    public var negativeSlope: Float
    public var threshold: Float
    public init(maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0) {
        self.maxValue = maxValue; self.negativeSlope = negativeSlope; self.threshold = threshold
    }
}

public struct DenseAttributes: Codable, Equatable, Sendable {
    public var units: Int
    public var useBias: Bool
    public var activation: Activation

    public init(units: Int, useBias: Bool = true, activation: Activation = .linear) {
        self.units = units; self.useBias = useBias; self.activation = activation
    }
}
