/// Which inputs are done: one bit each, so it can be broadcast for --resume.
public struct DoneSet: Equatable {
    public private(set) var words: [UInt64]
    public let count: Int

    public init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    public init(count: Int, words: [UInt64]) { self.count = count; self.words = words }

    public func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
    public mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }
    public var total: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
