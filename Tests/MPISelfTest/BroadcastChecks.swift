import MPI

/// Communicator.broadcast: the count goes first, then the bytes in pieces of at most 1 GiB
/// (MPI counts are Int32). An empty array, small arrays of several types, one from another
/// root, one over a piece, and the one-Int64 broadcast.
enum BroadcastChecks {
    /// Just over one piece (Communicator.broadcastBytes sends 1 << 30 bytes at a time): a
    /// full piece, then 40 bytes.
    static let largeCount = (1 << 30) / MemoryLayout<Int64>.stride + 5

    /// Position-dependent and never zero, so a piece sent twice, shifted or left out shows.
    static func largeValue(_ i: Int) -> Int64 { Int64(bitPattern: UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15) }

    static func run(_ test: SelfTest) {
        let comm = test.comm
        test.check("broadcast: empty array") {
            // Elsewhere the array starts non-empty: the broadcast must empty it.
            var values: [Int64] = comm.isRoot ? [] : [1, 2, 3]
            try comm.broadcast(&values)
            if test.corrupts(on: test.lastRank) { values.append(7) }
            return differences("values", values, [])
        }
        test.check("broadcast: 1001 floats") {
            let expected = (0..<1001).map { Float($0) * 0.25 - 100 }
            var values: [Float] = comm.isRoot ? expected : [1]
            try comm.broadcast(&values)
            if test.corrupts(on: test.lastRank) { values[1000] += 1 }
            return differences("values", values, expected)
        }
        test.check("broadcast: 37 padded records from the last rank") {
            let expected = (0..<37).map(PaddedRecord.init(index:))
            var values = comm.rank == test.lastRank ? expected : []
            try comm.broadcast(&values, root: test.lastRank)
            if test.corrupts(on: 0) { values[36].index += 1 }
            return differences("records", values, expected)
        }
        test.check("broadcast: 1 GiB + 40 bytes, over one piece") {
            var values: [Int64] = comm.isRoot ? (0..<largeCount).map(largeValue) : []
            try comm.broadcast(&values)
            if test.corrupts(on: test.lastRank) { values[largeCount - 2] ^= 1 }   // in the second piece
            return differences("values", values, count: largeCount, expected: largeValue)
        }
        test.check("broadcast: one Int64") {
            let expected: Int64 = -0x1234_5678_9ABC
            var value = try comm.broadcast(comm.isRoot ? expected : 42)
            if test.corrupts(on: test.lastRank) { value += 1 }
            return value == expected ? [] : ["received \(value), expected \(expected)"]
        }
    }
}
