/// The activations a convolution's epilogue applies as y = min(max(x, lower), upper):
/// ReLU is [0, ∞), ReLU6 and Clip(0, 6) are [0, 6], linear is everything.
public struct ClampRange: Equatable, Sendable {
    public var lower: Float
    public var upper: Float

    public static let none = ClampRange(lower: -.infinity, upper: .infinity)
    public static let relu = ClampRange(lower: 0, upper: .infinity)

    public init(lower: Float, upper: Float) { self.lower = lower; self.upper = upper }

    /// The range for an activation, or nil when it is not a clamp (sigmoid, tanh, softmax).
    public init?(_ activation: Activation) {
        switch activation {
        case .linear: self = .none
        case .relu: self = .relu
        default: return nil
        }
    }

    /// The range for a Keras ReLU layer, or nil when it has a negative slope or a threshold.
    public init?(_ relu: ReLUAttributes) {
        guard relu.negativeSlope == 0 && relu.threshold == 0 else { return nil }
        self.init(lower: 0, upper: relu.maxValue ?? .infinity)
    }

    /// Both clamps, one after the other.
    public func then(_ next: ClampRange) -> ClampRange {
        ClampRange(lower: min(max(lower, next.lower), next.upper), upper: max(min(upper, next.upper), next.lower))
    }

    var isNone: Bool { lower == -.infinity && upper == .infinity }

    /// The bounds as vectors, for `Vector.clamp` in hot loops.
    var vectors: (low: Vector, high: Vector) { (Vector(repeating: lower), Vector(repeating: upper)) }

    @inline(__always)
    func apply(_ x: Float) -> Float { min(max(x, lower), upper) }
}
