/// The register tiles of this build, fixed by its vector ISA (see Vector.swift). A tile
/// holds rows x vectors accumulators plus `vectors` weight vectors and one broadcast in
/// registers, which must fit the register file or the inner loop spills:
///   AVX-512 (32 zmm): GEMM 8 x 2 (16 + 2 + 1), dense 4 x 4 (16 + 4 + 1)
///   AVX2    (16 ymm): GEMM 6 x 2 (12 + 2 + 1), dense 4 x 3 (12 + 3 + 1)
///   portable, SSE (16 xmm): as AVX2; NEON (32 q): GEMM 8 x 2 as AVX-512, dense 4 x 3
/// The shapes change which outputs are computed together, never the order of any sum.
public enum KernelShapes {
    /// The build's vector ISA, as scripts/build-flags.sh chose it.
    public static var instructionSet: String {
        #if DOGCAT_AVX512
        "AVX-512"
        #elseif DOGCAT_AVX2
        "AVX2"
        #elseif arch(arm64)
        "NEON"
        #elseif DOGCAT_NO_FMA
        "portable (no FMA)"
        #else
        "portable"
        #endif
    }

    /// Whether products are fused into the sums (one rounding); without FMA they round twice.
    public static var fusedMultiplyAdd: Bool {
        #if DOGCAT_NO_FMA
        false
        #else
        true
        #endif
    }

    /// Floats per vector.
    public static var lanes: Int { vectorWidth }

    /// Rows (output pixels or Winograd tiles) of the shared GEMM micro-kernel's tile.
    public static var gemmRows: Int {
        @_transparent get {
            #if DOGCAT_AVX512 || arch(arm64)
            8
            #else
            6
            #endif
        }
    }

    /// Column vectors of the GEMM tile (its widest; a last single vector takes rows x 1).
    public static var gemmVectors: Int { @_transparent get { 2 } }

    /// Floats across the GEMM tile: the width of a packed weight panel (MicroKernelShape).
    public static var gemmColumns: Int { @_transparent get { gemmVectors * vectorWidth } }

    /// Rows and column vectors of the dense layer's register block.
    public static var denseRows: Int { @_transparent get { 4 } }
    public static var denseVectors: Int {
        @_transparent get {
            #if DOGCAT_AVX512
            4
            #else
            3
            #endif
        }
    }

    /// The GEMM tile as a kernel name shows it, e.g. "8x32" (rows x floats).
    public static var gemmTile: String { "\(gemmRows)x\(gemmColumns)" }

    /// The dense register block, e.g. "4x64".
    public static var denseTile: String { "\(denseRows)x\(denseVectors * lanes)" }
}
