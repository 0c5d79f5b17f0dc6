import MPI

/// Which inputs this rank processes, a batch at a time, minus the inputs an earlier run
/// already finished (--resume).
public struct WorkQueue {
    private let count: Int
    private let done: DoneSet?
    private var next: Int
    private var end: Int
    private let counter: SharedCounter?

    /// The static slice of this rank.
    public init(rank: Int, size: Int, count: Int, done: DoneSet?) {
        let range = WorkQueue.slice(rank: rank, size: size, count: count)
        (self.count, self.done, next, end, counter) = (count, done, range.lowerBound, range.upperBound, nil)
    }

    /// Chunks handed out by a shared counter (created collectively by every rank).
    init(counter: SharedCounter, count: Int, done: DoneSet?) {
        (self.count, self.done, next, end, self.counter) = (count, done, 0, 0, counter)
    }

    /// Rank r's share of n inputs.
    public static func slice(rank: Int, size: Int, count: Int) -> Range<Int> {
        (rank * count / size)..<((rank + 1) * count / size)
    }

    /// The next up-to-`limit` input indices still to do, in increasing order, or nil when
    /// this rank has no more work. Dynamically, each batch comes from one claimed chunk.
    mutating func take(_ limit: Int) throws -> [Int]? {
        while true {
            var indices: [Int] = []
            while next < end && indices.count < limit {
                if done?.contains(next) != true { indices.append(next) }
                next += 1
            }
            if !indices.isEmpty { return indices }
            guard let counter else { return nil }
            let start = Int(try counter.fetchAdd(Int64(limit)))
            guard start < count else { return nil }
            (next, end) = (start, min(start + limit, count))
        }
    }
}
