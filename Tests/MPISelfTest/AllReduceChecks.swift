import MPI

/// Communicator.allReduce: sum, max and min of one Int64 or Double, known to every rank.
/// The values need more than 32 bits, are negative on some ranks, and are largest and
/// smallest on ranks other than the first and last.
enum AllReduceChecks {
    static func integer(_ rank: Int) -> Int64 { Int64((7 * rank + 3) % 11 - 5) << 34 + Int64(rank) }
    /// Binary fractions, so every sum is exact in any order.
    static func real(_ rank: Int) -> Double { Double((7 * rank + 3) % 11 - 5) * 0.375 + Double(rank) * 1024.5 }

    static func run(_ test: SelfTest) {
        let comm = test.comm
        let all = 0..<comm.size
        test.check("allReduce: Int64 sum, max, min") {
            let expected = [all.map(integer).reduce(0, +), all.map(integer).max()!, all.map(integer).min()!]
            var reduced = try [ReduceOperation.sum, .max, .min].map { try comm.allReduce(integer(comm.rank), $0) }
            if test.corrupts(on: test.lastRank) { reduced[0] += 1 }
            return differences("sum, max, min", reduced, expected)
        }
        test.check("allReduce: Double sum, max, min") {
            let expected = [all.map(real).reduce(0, +), all.map(real).max()!, all.map(real).min()!]
            var reduced = try [ReduceOperation.sum, .max, .min].map { try comm.allReduce(real(comm.rank), $0) }
            if test.corrupts(on: test.lastRank) { reduced[2] -= 1 }
            return differences("sum, max, min", reduced, expected)
        }
    }
}
