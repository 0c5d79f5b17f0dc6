import Image

/// Everything a run needs to know, filled in by the command line.
public struct RunOptions: Sendable {
    public var input = RawPath("data/samples")
    public var model = "models/catsordogs.h5"
    public var output = RawPath("out")
    public var batchSize = 32
    public var classes = ["cat", "dog"]
    public var threshold: Float = 0.5
    public var place = PlaceMode.link
    public var maxPixels = 100_000_000
    public var fastDecode = false
    public var resume = false
    /// Seconds between rounds that bring results to rank 0 (and update progress).
    public var roundSeconds = 1.0
    public var quiet = false
    public var schedule = Schedule.static
    /// Stop counting as success when more inputs than this fail (nil: never).
    public var maxFailures: FailureLimit? = nil
    /// Only the first `limit` inputs of the list.
    public var limit: Int? = nil
    /// List and share out the inputs, decode nothing: for timing the list handling.
    public var dryRun = false
    /// Decode the next batch on a second thread while the current one is inferred.
    public var prefetch = false
    /// Memory per rank for the model inputs of recently decoded files (0: no cache).
    public var cacheMegabytes = 64
    public init() {}
}

/// `--max-failures N` or `P%`.
public enum FailureLimit: Equatable, Sendable {
    case count(Int)
    case percent(Double)

    public init?(_ text: String) {
        if text.hasSuffix("%"), let p = Double(text.dropLast()), p >= 0, p <= 100 { self = .percent(p) }
        else if let n = Int(text), n >= 0 { self = .count(n) }
        else { return nil }
    }

    /// True when `failures` of `total` inputs is more than the limit allows.
    public func isExceeded(failures: Int, total: Int) -> Bool {
        switch self {
        case .count(let n): return failures > n
        case .percent(let p): return Double(failures) > p / 100 * Double(total)
        }
    }
}
