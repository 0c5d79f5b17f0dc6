/// One step of a built network: the layers it computes, the kernel that computes them,
/// and the work. Per-image steps take the image's input (`UnsafePointer<Float>`: chains
/// that read the network input read it in place); batch steps take the batch's row count.
struct NetworkStep<Argument> {
    /// The layers, joined by "+" when a chain absorbed several (conv+batch_norm+relu+pool).
    let name: String
    /// The kernel and its register tile, e.g. "winograd F(4x4) GEMM 8x32".
    let kernel: String
    let run: (Argument) -> Void
}
