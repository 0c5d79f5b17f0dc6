import CMPI

/// One Int64 counter on rank 0 that every rank can fetch-and-add without rank 0's help:
/// an MPI window with passive-target atomics (MPI_Fetch_and_op). Creating and freeing it
/// are collective; `fetchAdd` is not.
public final class SharedCounter {
    private var window: MPI_Win?
    private var base: UnsafeMutableRawPointer?

    /// Collective: every rank calls it. The counter starts at zero.
    public init(_ comm: Communicator) throws {
        let size = comm.isRoot ? MemoryLayout<Int64>.size : 0
        // Open MPI 4.1's default one-sided component (rdma) cannot make a window over the TCP BTL.
        try check(MPI_Win_allocate(MPI_Aint(size), Int32(MemoryLayout<Int64>.size), dc_mpi_info_null(), comm.handle, &base, &window),
                  "MPI_Win_allocate", hint: "--schedule dynamic needs one-sided MPI; over TCP, run mpirun with --mca osc pt2pt, or use --schedule static")
        if comm.isRoot { base!.storeBytes(of: 0, as: Int64.self) }
        // Rank 0's initial zero must be in place before anyone adds.
        try comm.barrier()
        try check(MPI_Win_lock_all(0, window), "MPI_Win_lock_all")
    }

    /// Adds `amount` and returns the value before, atomically across ranks.
    public func fetchAdd(_ amount: Int64) throws -> Int64 {
        var add = amount, previous: Int64 = 0
        try check(MPI_Fetch_and_op(&add, &previous, dc_mpi_int64(), 0, 0, dc_mpi_sum(), window), "MPI_Fetch_and_op")
        try check(MPI_Win_flush(0, window), "MPI_Win_flush")
        return previous
    }

    /// Collective: every rank calls it when done with the counter.
    public func free() throws {
        guard window != nil else { return }
        try check(MPI_Win_unlock_all(window), "MPI_Win_unlock_all")
        try check(MPI_Win_free(&window), "MPI_Win_free")
        window = nil
    }
}
