/// A MobileNetV2-style inverted residual block (1x1 expand, depthwise, 1x1 project, each
/// with its batch norm and clamp folded in, the project optionally adding the residual) run
/// band by band of output rows, so the expanded tensor, several times the block's input,
/// never leaves the cache: each band expands just the input rows its depthwise rows read
/// (keeping the rows it shares with the band before), runs the depthwise on them into a
/// small buffer, and projects that into the output. The first layer may instead be a
/// network's first convolution on few channels (`FirstLayer.patch`: MobileNetV2's Conv1 with
/// the first depthwise and project, whose 112x112x32 tensor is then never stored whole).
///
/// The three kernels are the ones the separate steps use, each output the same sum in the
/// same order; a band only limits which outputs are computed, so the floats are those of
/// the unbanded steps (tested at tolerance 0).
public final class InvertedResidualBands {
    /// The layer before the depthwise: a 1x1 expand, or (MobileNetV2's Conv1 before its first
    /// depthwise) a network's first convolution on few channels, which the patch kernel runs.
    public enum FirstLayer {
        case pointwise(DirectConvolution)
        case patch(PatchConvolution)

        var g: WindowGeometry {
            switch self {
            case .pointwise(let conv): return conv.g
            case .patch(let conv): return conv.g
            }
        }
    }

    let expand: FirstLayer
    let depthwise: DepthwiseConvolution
    let project: DirectConvolution
    /// Output rows per band.
    public let bandRows: Int
    private let expanded: FloatBuffer      // input rows of one band, expanded
    private let filtered: FloatBuffer      // the band's depthwise output rows

    /// The expanded input rows a band holds by default. Measured on a Zen 5 (1 MB L2 per
    /// core), MobileNetV2 on one core: 256 KB best; 64 KB 1.5x slower, 1 MB 5% and whole
    /// images (one band) 8-10% slower. On a Zen 4 (1 MB L2) 256 KB and 1 MB were alike.
    public static let defaultBandBytes = 256 * 1024

    /// `bandBytes`: the expanded input rows one band may hold (at least the rows of one output row).
    public init(expand: FirstLayer, depthwise: DepthwiseConvolution, project: DirectConvolution, bandBytes: Int = defaultBandBytes) {
        if case .pointwise(let conv) = expand { precondition(conv.isPlainPointwise) }
        if case .patch(let conv) = expand { precondition(!conv.pools) }
        precondition(project.isPlainPointwise && depthwise.multiplier == 1)
        let g = depthwise.g
        precondition(expand.g.outH == g.h && expand.g.outW == g.w && expand.g.outC == g.c, "expand feeds the depthwise")
        precondition(project.g.h == g.outH && project.g.w == g.outW && project.g.c == g.outC, "the depthwise feeds the project")
        self.expand = expand
        self.depthwise = depthwise
        self.project = project
        let rowBytes = g.w * g.c * MemoryLayout<Float>.size
        let budgetRows = max(Self.inputRows(forOutputRows: 1, g), bandBytes / rowBytes)
        var rows = 1
        while rows < g.outH && Self.inputRows(forOutputRows: rows + 1, g) <= budgetRows { rows += 1 }
        bandRows = rows
        expanded = FloatBuffer(count: Self.inputRows(forOutputRows: rows, g) * g.w * g.c)
        filtered = FloatBuffer(count: rows * g.outW * g.c)
    }

    /// Input rows (the window's reach, padding included) that `rows` output rows read.
    static func inputRows(forOutputRows rows: Int, _ g: WindowGeometry) -> Int {
        (rows - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1
    }

    /// out is the project's output (OH, OW, OC), inp the expand's input (H, W, C), `residual`
    /// what the project adds (shaped as out), if it does.
    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, residual: UnsafePointer<Float>? = nil) {
        let g = depthwise.g
        let expandedRow = g.w * g.c
        let source: UnsafePointer<Float>
        switch expand {
        case .pointwise: source = inp
        case .patch(let conv): source = conv.prepare(inp)
        }
        // The input rows [held.lowerBound, held.upperBound) are expanded in `expanded`, from its start.
        var held = 0..<0
        var firstRow = 0
        while firstRow < g.outH {
            let rows = firstRow..<min(firstRow + bandRows, g.outH)
            let top = rows.lowerBound * g.strideH - g.padTop
            let needed = max(0, top)..<min(g.h, top + Self.inputRows(forOutputRows: rows.count, g))
            // Rows this band shares with the last move to the front; the rest are expanded.
            let kept = max(0, held.upperBound - needed.lowerBound)
            if kept > 0 && needed.lowerBound > held.lowerBound {
                expanded.pointer.update(from: expanded.pointer + (needed.lowerBound - held.lowerBound) * expandedRow, count: kept * expandedRow)
            }
            let fresh = (needed.lowerBound + kept)..<needed.upperBound
            if !fresh.isEmpty {
                let target = expanded.pointer + kept * expandedRow
                switch expand {
                case .pointwise(let conv):
                    conv.forwardPointwise(out: target, inp: source + fresh.lowerBound * g.w * conv.g.c, pixels: (fresh.lowerBound * g.w)..<(fresh.upperBound * g.w))
                case .patch(let conv):
                    conv.forwardRows(out: target, source: source, rows: fresh)
                }
            }
            held = needed
            depthwise.forward(out: filtered.pointer, inp: expanded.pointer, rows: rows, inputFirstRow: needed.lowerBound)
            project.forwardPointwise(out: out + rows.lowerBound * g.outW * project.g.outC, inp: filtered.pointer,
                                     pixels: (rows.lowerBound * g.outW)..<(rows.upperBound * g.outW), residual: residual)
            firstRow = rows.upperBound
        }
    }
}
