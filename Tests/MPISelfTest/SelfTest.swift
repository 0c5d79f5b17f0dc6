import Glibc
import MPI

/// Runs named checks on every rank and reports them. Each rank judges its own results and
/// exits non-zero if any check failed there (so mpirun's status is non-zero too): no wrapper
/// under test is used to agree on a verdict, so a broken one cannot hide its own failure.
final class SelfTest {
    let comm: Communicator
    /// Spoil one result per check on one rank, to show that every check can fail.
    let corrupt: Bool
    private(set) var passed = 0, failed = 0

    init(_ comm: Communicator, corrupt: Bool) {
        self.comm = comm
        self.corrupt = corrupt
    }

    /// Whether this rank spoils its result: only under --corrupt, only on `rank`.
    func corrupts(on rank: Int) -> Bool { corrupt && comm.rank == rank }

    /// The last rank (the root itself when it is alone): where received values are spoiled.
    var lastRank: Int { comm.size - 1 }

    /// Runs `body`, which every rank calls for every check in the same order (it holds
    /// collectives), and reports what it found wrong on this rank: nothing means passed.
    func check(_ name: String, _ body: () throws -> [String]) {
        let problems: [String]
        do { problems = try body() } catch { problems = ["threw \(error)"] }
        if problems.isEmpty {
            passed += 1
            if comm.isRoot { print("ok \(name)") }
        } else {
            failed += 1
            for problem in problems { fputs("[rank \(comm.rank)] FAIL \(name): \(problem)\n", stderr) }
        }
    }

    var summary: String {
        failed == 0 ? "all \(passed) checks passed" : "\(failed) of \(passed + failed) checks failed"
    }
}
