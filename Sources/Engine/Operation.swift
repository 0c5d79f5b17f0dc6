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

public struct DenseAttributes: Codable, Equatable, Sendable {
    public var units: Int
    public var useBias: Bool
    public var activation: Activation

    public init(units: Int, useBias: Bool = true, activation: Activation = .linear) {
        self.units = units; self.useBias = useBias; self.activation = activation
    }
}
