import ArgumentParser

/// `--max-failures N` or `P%`.
public enum FailureLimit: Equatable, Sendable, ExpressibleByArgument {
    case count(Int)
    case percent(Double)

    public init?(argument text: String) {
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
