/// Which inputs this rank processes, a batch at a time: the contiguous slice
/// [r*n/N, (r+1)*n/N), minus the inputs an earlier run already finished.
public struct WorkQueue {
    let range: Range<Int>
    private var next: Int
    private let done: DoneSet?

    init(rank: Int, size: Int, count: Int, done: DoneSet?) {
        range = WorkQueue.slice(rank: rank, size: size, count: count)
        next = range.lowerBound
        self.done = done
    }

    /// Rank r's share of n inputs.
    public static func slice(rank: Int, size: Int, count: Int) -> Range<Int> {
        (rank * count / size)..<((rank + 1) * count / size)
    }

    /// The next up-to-`limit` input indices still to do, or nil when the slice is finished.
    mutating func take(_ limit: Int) -> [Int]? {
        var indices: [Int] = []
        while next < range.upperBound && indices.count < limit {
            if done?.contains(next) != true { indices.append(next) }
            next += 1
        }
        return indices.isEmpty ? nil : indices
    }

    var remaining: Int {
        (next..<range.upperBound).filter { done?.contains($0) != true }.count
    }
}
