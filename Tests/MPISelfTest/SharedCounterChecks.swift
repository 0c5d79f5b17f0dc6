import MPI

/// SharedCounter: every rank fetch-and-adds at once, in steps of different sizes, until the
/// counter passes `total`; every index below it must be handed out exactly once across the
/// ranks, and the final value must be the sum of every rank's adds.
enum SharedCounterChecks {
    static let total: Int64 = 20_000

    static func run(_ test: SelfTest) {
        let comm = test.comm
        var counter: SharedCounter? = nil
        var added: Int64 = 0
        test.check("SharedCounter: every index handed out exactly once") {
            let shared = try SharedCounter(comm)
            counter = shared
            // Rank r claims r + 1 indices at a time, so claims of different sizes interleave.
            let step = Int64(comm.rank + 1)
            var claimed: [Int64] = []
            while true {
                let start = try shared.fetchAdd(step)
                added += step
                if start >= total { break }
                claimed += start..<min(start + step, total)
            }
            var gathered = try comm.gatherv(claimed)
            if test.corrupts(on: 0) { gathered?[0].append(0) }   // index 0 twice
            guard let gathered else { return [] }
            var times = [Int](repeating: 0, count: Int(total))
            var outside: [Int64] = []
            for index in gathered.joined() {
                if (0..<total).contains(index) { times[Int(index)] += 1 } else { outside.append(index) }
            }
            let missing = times.indices.filter { times[$0] == 0 }, repeated = times.indices.filter { times[$0] > 1 }
            var problems: [String] = []
            if !missing.isEmpty { problems.append("\(missing.count) indices never handed out, first \(missing.prefix(5))") }
            if !repeated.isEmpty { problems.append("\(repeated.count) indices handed out more than once, first \(repeated.prefix(5))") }
            if !outside.isEmpty { problems.append("\(outside.count) indices outside 0..<\(total), first \(outside.prefix(5))") }
            return problems
        }
        test.check("SharedCounter: final value is the sum of the adds") {
            guard let counter else { return ["no counter (its creation failed)"] }
            try comm.barrier()   // every rank's adds are done
            var final = try counter.fetchAdd(0)
            let expected = try comm.allReduce(added, .sum)
            try counter.free()
            if test.corrupts(on: test.lastRank) { final += 1 }
            return final == expected ? [] : ["the counter ends at \(final), but the ranks added \(expected) in all"]
        }
    }
}
