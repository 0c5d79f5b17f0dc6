import Glibc
import MPI

// mpi-selftest: the MPI wrappers of Sources/MPI checked under mpirun at any rank count
// (MPITests.MPIWrapperTests runs it at -np 1, 2 and 3). Every rank runs every check, in the
// same order, and judges what it received itself; rank 0 prints "ok <check>" for each check
// it passed, every rank prints "[rank r] FAIL <check>: <what differs>" on stderr for each it
// failed, then "rank r: ..." with its count, and exits 1 if any failed.
//
//   mpirun -np 3 .build/release/mpi-selftest [--corrupt]
//
// --corrupt spoils one received value per check on one rank: every check must then fail.

// Line by line, so a job killed on a hang still shows how far it got.
setvbuf(stdout, nil, _IOLBF, 0)
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.allSatisfy({ $0 == "--corrupt" }) else {
    fputs("usage: mpi-selftest [--corrupt]\n  --corrupt  spoil one result of every check on one rank (each check must fail)\n", stderr)
    exit(2)
}
let world: Communicator
do {
    world = try Communicator.initializeWorld()
} catch {
    fputs("mpi-selftest: \(error)\n", stderr)
    exit(1)
}
let test = SelfTest(world, corrupt: arguments.contains("--corrupt"))
if world.isRoot { print("mpi-selftest: \(world.size) ranks") }

BroadcastChecks.run(test)
GathervChecks.run(test)
AllReduceChecks.run(test)
SharedCounterChecks.run(test)

print("rank \(world.rank): \(test.summary)")
fflush(stdout)   // before a failed rank's exit lets mpirun kill the others
Communicator.finalize()
exit(test.failed == 0 ? 0 : 1)
