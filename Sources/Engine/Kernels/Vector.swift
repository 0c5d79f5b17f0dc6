/// The SIMD width every kernel is written for, chosen at build time for the target's
/// vector ISA (scripts/build-flags.sh passes the -D): one register per Vector, so the
/// register tiles in KernelShapes fit the register file.
///   DOGCAT_AVX512: 16 floats (zmm, 32 registers)
///   DOGCAT_AVX2:    8 floats (ymm, 16 registers)
///   otherwise:      4 floats (SSE xmm, 16 registers; NEON q, 32 registers)
/// Every kernel vectorises over output channels, each lane summing one output in a fixed
/// order, so the width changes speed only, never a result's bits.
#if DOGCAT_AVX512
public typealias Vector = SIMD16<Float>
#elseif DOGCAT_AVX2
public typealias Vector = SIMD8<Float>
#else
public typealias Vector = SIMD4<Float>
#endif

/// Floats per Vector.
public var vectorWidth: Int {
    @_transparent get { Vector.scalarCount }
}

extension Vector {
    /// acc += a * b, fused when the CPU has FMA. Builds for CPUs without FMA pass
    /// `-D DOGCAT_NO_FMA` (scripts/build-flags.sh): Swift would otherwise call libm's
    /// fmaf once per lane. (Those builds round twice, so their last bits differ.)
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

    /// Loads `count` lanes (the rest zero) when fewer than a whole vector remain.
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

    /// Stores the first `count` lanes only (the tail of a channel run that is not a whole vector).
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

/// Floats per 64-byte cache line (strides that must not alias in L1 are offset by one).
let cacheLineFloats = 16
