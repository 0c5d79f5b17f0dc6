/// Which kernel runs a convolution: the selection policy in one place, decided once per
/// layer when the network is built.
///
/// The policy looks at the layer's shape only, never at the vector ISA: the algorithms
/// (Winograd, direct, patch) round differently, so an ISA-dependent choice would make the
/// AVX2 and AVX-512 builds disagree. The ISA changes each kernel's vector width and
/// register tile (KernelShapes), which never changes a sum's order.
enum ConvolutionKernel: Equatable {
    /// Per-channel filters; multiplier 1 is vectorised, others run the reference.
    case depthwise(multiplier: Int)
    /// 3x3 on one channel with the 2x2 max pooling after it, in registers.
    case grey
    /// Few input channels: interleaved rows, one long GEMM reduction.
    case patch
    /// 3x3 stride 1: F(2x2) or F(4x4) Winograd, GEMMs per tile position.
    case winograd(outputTile: Int)
    /// Any other shape, and every convolution with fast kernels off.
    case direct

    /// `fastKernels` off leaves only the direct kernel (and depthwise, which has no other).
    static func choose(_ g: WindowGeometry, depthwiseMultiplier: Int?, pools: Bool, fastKernels: Bool) -> ConvolutionKernel {
        if let multiplier = depthwiseMultiplier { return .depthwise(multiplier: multiplier) }
        guard fastKernels else { return .direct }
        if GreyConvolution.supports(g, pools: pools) { return .grey }
        if PatchConvolution.supports(g) { return .patch }
        // Winograd with enough input channels to fill its GEMMs; F(4x4) halves F(2x2)'s
        // multiplies again, F(2x2) for outputs too small to fill 4x4 tiles.
        if WinogradConvolution.supports(g) && g.c >= 8 { return .winograd(outputTile: min(g.outH, g.outW) >= 16 ? 4 : 2) }
        return .direct
    }

    /// The kernel and its register tile in this build, for engine-bench.
    func label(_ g: WindowGeometry) -> String {
        let lanes = KernelShapes.lanes, gemm = KernelShapes.gemmTile
        switch self {
        case .depthwise(1): return "depthwise \(g.kernelH)x\(g.kernelW), \(g.kernelH * g.kernelW == 9 ? 4 : 1) px x \(lanes) ch"
        case .depthwise(let multiplier): return "depthwise reference (multiplier \(multiplier))"
        case .grey: return "grey 3x3+pool, 1 px x \(lanes) ch"
        case .patch: return "patch GEMM \(gemm)"
        case .winograd(let m): return "winograd F(\(m)x\(m)) GEMM \(gemm)"
        case .direct: return g.kernelH * g.kernelW == 1 ? "1x1 GEMM \(gemm)" : "direct GEMM \(gemm)"
        }
    }
}
