extension InputList {
    /// How many items one read of the list brings: a manifest is read back by range, so
    /// walking a long list a chunk at a time keeps memory flat.
    static var chunkSize: Int { 4096 }

    /// Calls `body` with the first index and the items of each chunk of `range`, in order.
    func forEachChunk(of range: Range<Int>, _ body: (_ first: Int, _ items: [InputItem]) throws -> Void) throws {
        var first = range.lowerBound
        while first < range.upperBound {
            let last = min(first + Self.chunkSize, range.upperBound)
            try body(first, try items(first..<last))
            first = last
        }
    }

    /// `forEachChunk` over the whole list.
    func forEachChunk(_ body: (_ first: Int, _ items: [InputItem]) throws -> Void) throws {
        try forEachChunk(of: 0..<count, body)
    }
}
