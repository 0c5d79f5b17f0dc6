import MPI

/// Communicator.gatherv: every rank's array at the root, in rank order, nil elsewhere. Counts
/// that differ by rank, all empty, some empty (so two ranks share a displacement), a type
/// whose stride is not its size, and a root other than rank 0.
enum GathervChecks {
    static func run(_ test: SelfTest) {
        let comm = test.comm
        test.check("gatherv: uneven contributions") {
            // Rank r sends 5r + 1 values that name their rank and index.
            func contribution(_ r: Int) -> [Int64] { (0..<(5 * r + 1)).map { Int64(r) << 32 | Int64($0) } }
            var gathered = try comm.gatherv(contribution(comm.rank))
            if test.corrupts(on: 0) { gathered?[test.lastRank][0] += 1 }
            return judge(gathered, root: 0, comm, expected: contribution)
        }
        test.check("gatherv: all empty") {
            var gathered = try comm.gatherv([Int64]())
            if test.corrupts(on: 0) { gathered?[0].append(1) }
            return judge(gathered, root: 0, comm) { _ in [] }
        }
        test.check("gatherv: some empty, to the last rank") {
            // Odd ranks send 3r + 2 bytes, even ranks none: odd byte counts, shared displacements.
            func contribution(_ r: Int) -> [UInt8] { r % 2 == 0 ? [] : (0..<(3 * r + 2)).map { UInt8(truncatingIfNeeded: 31 * r + $0) } }
            var gathered = try comm.gatherv(contribution(comm.rank), root: test.lastRank)
            if test.corrupts(on: test.lastRank) { gathered?[0].append(0) }
            return judge(gathered, root: test.lastRank, comm, expected: contribution)
        }
        test.check("gatherv: padded records") {
            func contribution(_ r: Int) -> [PaddedRecord] { (0..<(r + 2)).map { PaddedRecord(index: 100 * r + $0) } }
            var gathered = try comm.gatherv(contribution(comm.rank))
            if test.corrupts(on: 0) { gathered?[test.lastRank][1].value += 1 }
            return judge(gathered, root: 0, comm, expected: contribution)
        }
    }

    /// At the root, one array per rank equal to `expected(rank)`; nil on every other rank.
    static func judge<T: Equatable>(_ gathered: [[T]]?, root: Int, _ comm: Communicator, expected: (Int) -> [T]) -> [String] {
        guard comm.rank == root else {
            return gathered.map { ["rank \(comm.rank) is not the root but received \($0.count) arrays"] } ?? []
        }
        guard let gathered else { return ["the root received nil"] }
        guard gathered.count == comm.size else { return ["\(gathered.count) arrays, expected one per rank (\(comm.size))"] }
        return (0..<comm.size).flatMap { r in differences("from rank \(r)", gathered[r], expected(r)) }
    }
}
