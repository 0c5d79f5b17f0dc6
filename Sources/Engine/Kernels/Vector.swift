/// The SIMD width every kernel is written for: 16 floats (one AVX-512 register;
/// two AVX2 or four SSE/NEON registers on other CPUs, still correct).
public typealias Vector = SIMD16<Float>
public let vectorWidth = 16

extension SIMD16 where Scalar == Float {
    /// acc += a * b, fused when the CPU has FMA. Builds for CPUs without FMA pass
    /// `-D DOGCAT_NO_FMA` (scripts/build-flags.sh): Swift would otherwise call libm's
    /// fmaf once per lane.
    @inline(__always)
    mutating func accumulate(_ a: Vector, _ b: Vector) {
        #if DOGCAT_NO_FMA
        self = self + a * b
        #else
        addProduct(a, b)
        #endif
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    /// Loads `count` lanes (the rest zero) when fewer than 16 floats remain.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, count: Int) -> Vector {
        if count == vectorWidth { return load(p) }
        var v = Vector()
        for lane in 0..<count { v[lane] = p[lane] }
        return v
    }

    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: Vector.self)
    }

    /// Stores the first `count` lanes only (the tail of a channel run that is not a multiple of 16).
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>, count: Int) {
        if count == vectorWidth { store(p); return }
        for lane in 0..<count { p[lane] = self[lane] }
    }

    @inline(__always)
    func relu() -> Vector { replacing(with: 0, where: self .< 0) }

    /// min(max(v, low), high), branch-free (infinite bounds never match their comparison).
    /// Transparent: plain @inline(__always) was not honoured in some large callers.
    @_transparent
    static func clamp(_ v: Vector, _ low: Vector, _ high: Vector) -> Vector {
        minimum(maximum(v, low), high)
    }

    /// `clamp` with a ClampRange's `vectors`.
    @_transparent
    static func clamp(_ v: Vector, _ bounds: (low: Vector, high: Vector)) -> Vector {
        clamp(v, bounds.low, bounds.high)
    }

    /// Lane-wise minimum in two instructions.
    @inline(__always)
    static func minimum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: b .< a) }

    /// Lane-wise maximum in two instructions (the standard library's pointwiseMax goes lane by lane).
    @inline(__always)
    static func maximum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: b .> a) }
}

/// Rounds up to a whole number of vectors.
@inline(__always)
func paddedToVector(_ n: Int) -> Int { (n + vectorWidth - 1) / vectorWidth * vectorWidth }
