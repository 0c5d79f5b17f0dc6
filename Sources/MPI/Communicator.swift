import CMPI

/// MPI_COMM_WORLD with typed collectives. Every raw MPI_* call of the project is in this
/// file and SharedCounter.swift; collectives must be reached by every rank, in the same order.
public struct Communicator {
    let handle: MPI_Comm
    public let rank: Int
    public let size: Int

    /// Initialises MPI (once per process) and returns the world communicator. Errors are
    /// returned rather than fatal, so a failed call can be reported before aborting.
    public static func initializeWorld() throws -> Communicator {
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, dc_mpi_thread_funneled(), &provided), "MPI_Init_thread")
        let world = dc_mpi_comm_world()!
        MPI_Comm_set_errhandler(world, dc_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        try check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try check(MPI_Comm_size(world, &size), "MPI_Comm_size")
        ControlSocket.disableNagle()   // MPI_Finalize 44 -> 2 ms on one node (see ControlSocket)
        return Communicator(handle: world, rank: Int(rank), size: Int(size))
    }

    public static func finalize() { MPI_Finalize() }

    /// Ends every rank of the job: the last resort when a rank cannot go on.
    public func abort(code: Int32) -> Never {
        MPI_Abort(handle, code)
        fatalError("MPI_Abort returned")
    }

    public var isRoot: Bool { rank == 0 }

    /// A communicator with the same ranks whose messages never mix with this one's
    /// (MPI_Comm_dup). Collective.
    public func duplicate() throws -> Communicator {
        var copy: MPI_Comm? = nil
        try check(MPI_Comm_dup(handle, &copy), "MPI_Comm_dup")
        MPI_Comm_set_errhandler(copy, dc_mpi_errors_return())
        return Communicator(handle: copy!, rank: rank, size: size)
    }

    /// The name of the node this rank runs on.
    public static var processorName: String {
        var name = [CChar](repeating: 0, count: Int(dc_mpi_max_processor_name()) + 1)
        var length: Int32 = 0
        MPI_Get_processor_name(&name, &length)
        return String(cString: name)
    }

    public static var wallTime: Double { MPI_Wtime() }

    public func barrier() throws { try check(MPI_Barrier(handle), "MPI_Barrier") }

    /// Root's array (of any trivial type) to every rank: first the count, then the values.
    /// Root's array is only read, so an array it shares with others is not copied.
    public func broadcast<T: BitwiseCopyable>(_ values: inout [T], root: Int = 0) throws {
        var count = Int64(values.count)
        try check(MPI_Bcast(&count, 1, dc_mpi_int64(), Int32(root), handle), "MPI_Bcast")
        if rank == root {
            try values.withUnsafeBytes { try broadcastBytes(UnsafeMutableRawBufferPointer(mutating: $0), root: root) }
        } else {
            // Every element is written by MPI_Bcast (or the call fails and the array is discarded).
            values = [T](unsafeUninitializedCapacity: Int(count)) { _, initialized in initialized = Int(count) }
            try values.withUnsafeMutableBytes { try broadcastBytes($0, root: root) }
        }
    }

    /// MPI counts are Int32: large buffers go in pieces.
    private func broadcastBytes(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        var offset = 0
        let piece = 1 << 30
        while offset < bytes.count {
            let n = min(piece, bytes.count - offset)
            try check(MPI_Bcast(bytes.baseAddress! + offset, Int32(n), dc_mpi_byte(), Int32(root), handle), "MPI_Bcast")
            offset += n
        }
    }

    /// One Int64 from root to everyone.
    public func broadcast(_ value: Int64, root: Int = 0) throws -> Int64 {
        var v = value
        try check(MPI_Bcast(&v, 1, dc_mpi_int64(), Int32(root), handle), "MPI_Bcast")
        return v
    }

    /// Every rank's `values` (of any trivial type, any count) at root, in rank order; nil elsewhere.
    /// Counts go first with MPI_Gather, then the data with MPI_Gatherv.
    public func gatherv<T: BitwiseCopyable>(_ values: [T], root: Int = 0) throws -> [[T]]? {
        let stride = MemoryLayout<T>.stride
        var myBytes = Int32(values.count * stride)
        var counts = [Int32](repeating: 0, count: rank == root ? size : 1)
        try check(MPI_Gather(&myBytes, 1, dc_mpi_int32(), &counts, 1, dc_mpi_int32(), Int32(root), handle), "MPI_Gather")
        var displacements = [Int32](repeating: 0, count: counts.count)
        if rank == root {
            for i in 1..<max(size, 1) where size > 1 { displacements[i] = displacements[i - 1] + counts[i - 1] }
        }
        let total = rank == root ? Int(counts.reduce(0, +)) : 0
        var received = [UInt8](repeating: 0, count: max(total, 1))
        try values.withUnsafeBytes { send in
            try check(MPI_Gatherv(send.baseAddress, myBytes, dc_mpi_byte(), &received, &counts, &displacements,
                                  dc_mpi_byte(), Int32(root), handle), "MPI_Gatherv")
        }
        guard rank == root else { return nil }
        return (0..<size).map { r in
            let start = Int(displacements[r]), n = Int(counts[r]) / stride
            return received.withUnsafeBytes { raw in
                Array(UnsafeBufferPointer(start: (raw.baseAddress! + start).assumingMemoryBound(to: T.self), count: n))
            }
        }
    }

    /// The maximum (or sum) of one value over all ranks, known to every rank.
    public func allReduce(_ value: Int64, _ op: ReduceOperation) throws -> Int64 {
        var input = value, output: Int64 = 0
        try check(MPI_Allreduce(&input, &output, 1, dc_mpi_int64(), op.handle, handle), "MPI_Allreduce")
        return output
    }

    public func allReduce(_ value: Double, _ op: ReduceOperation) throws -> Double {
        var input = value, output: Double = 0
        try check(MPI_Allreduce(&input, &output, 1, dc_mpi_double(), op.handle, handle), "MPI_Allreduce")
        return output
    }
}

public enum ReduceOperation {
    case sum, max, min
    var handle: MPI_Op {
        switch self {
        case .sum: return dc_mpi_sum()
        case .max: return dc_mpi_max()
        case .min: return dc_mpi_min()
        }
    }
}

// MARK: - Non-blocking signals and point-to-point notes

/// A pending non-blocking operation (MPI_Request) and the buffer it uses.
public final class PendingSignal {
    fileprivate var request: MPI_Request? = nil
    fileprivate let value = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    public var received: Int32 { value.pointee }
    deinit { value.deallocate() }
}

extension Communicator {
    /// Starts a broadcast of one Int32 from root (MPI_Ibcast). Root passes the value to
    /// send; the others receive it once `test`/`wait` says the broadcast completed.
    public func startBroadcast(_ value: Int32, root: Int = 0) throws -> PendingSignal {
        let signal = PendingSignal()
        signal.value.pointee = value
        try check(MPI_Ibcast(signal.value, 1, dc_mpi_int32(), Int32(root), handle, &signal.request), "MPI_Ibcast")
        return signal
    }

    /// True once the operation completed (MPI_Test); also drives MPI's progress.
    public func test(_ signal: PendingSignal) throws -> Bool {
        var done: Int32 = 0
        try check(MPI_Test(&signal.request, &done, nil), "MPI_Test")
        return done != 0
    }

    public func wait(_ signal: PendingSignal) throws {
        try check(MPI_Wait(&signal.request, nil), "MPI_Wait")
    }

    /// Sends one Int32 to `destination` (small: completes without waiting for the receive).
    public func send(_ value: Int32, to destination: Int, tag: Int32) throws {
        var v = value
        try check(MPI_Send(&v, 1, dc_mpi_int32(), Int32(destination), tag, handle), "MPI_Send")
    }

    /// Receives one Int32 with `tag` from any rank if one is waiting (MPI_Iprobe then MPI_Recv);
    /// nil when none is. With `blocking`, waits for one.
    public func receive(tag: Int32, blocking: Bool = false) throws -> (value: Int32, source: Int)? {
        var status = MPI_Status()
        if !blocking {
            var flag: Int32 = 0
            try check(MPI_Iprobe(dc_mpi_any_source(), tag, handle, &flag, &status), "MPI_Iprobe")
            if flag == 0 { return nil }
        }
        var v: Int32 = 0
        try check(MPI_Recv(&v, 1, dc_mpi_int32(), dc_mpi_any_source(), tag, handle, &status), "MPI_Recv")
        return (v, Int(status.MPI_SOURCE))
    }
}
