import FileSystem
import MPI

/// This rank's share of the input list, a batch of (index, where to open it) at a time:
/// the work queue's indices, looked up in the list.
struct RankShare {
    let list: InputList
    let batchSize: Int
    private var queue: WorkQueue

    /// The static slice of this rank, or chunks from `counter` (--schedule dynamic).
    init(list: InputList, batchSize: Int, counter: SharedCounter?, comm: Communicator, done: DoneSet?) {
        self.list = list
        self.batchSize = batchSize
        queue = counter.map { WorkQueue(counter: $0, count: list.count, done: done) }
            ?? WorkQueue(rank: comm.rank, size: comm.size, count: list.count, done: done)
    }

    /// The next batch still to do, or nil when this rank has no more work.
    mutating func next() throws -> [(index: Int, source: InputSource)]? {
        guard let indices = try queue.take(batchSize), let first = indices.first, let last = indices.last else { return nil }
        let items = try list.items(first..<(last + 1))
        return indices.map { ($0, list.source(of: items[$0 - first])) }
    }
}
