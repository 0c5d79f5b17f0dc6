import CFloatMode

/// Runs `body` with subnormal floats flushed to zero on this thread (inputs read as 0, results
/// become 0), as TensorFlow runs its kernels. Trained weights can hold subnormals (7,234 of
/// the default model's 3.7 million), and arithmetic on them takes a slow path on some
/// CPUs: on Zen 4 its Winograd layer ran 11% slower on real photos. Results change only where
/// a value is below 1.2e-38 in magnitude.
@inline(__always)
func withSubnormalsFlushed<R>(_ body: () throws -> R) rethrows -> R {
    let previous = dc_flush_subnormals()
    defer { dc_restore_float_mode(previous) }
    return try body()
}
