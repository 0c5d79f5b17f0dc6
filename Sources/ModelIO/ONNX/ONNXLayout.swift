/// How the engine holds one ONNX tensor that the graph computes. This is where the layout
/// question is settled, once, at load:
///
/// ONNX convolutions are NCHW; the engine is NHWC. tf2onnx keeps a Keras model's NHWC
/// input and wraps the convolutions in Transposes. The reader never moves data for those:
/// it records, per ONNX tensor, whether the engine's floats are in ONNX's own order or in
/// the channels-last order of an NCHW tensor, and a Transpose between the two becomes a
/// change of that record on the same engine node. Reshapes are views until an operation
/// needs a particular engine shape; then one `.reshape`/`.flatten` node is made.
struct HeldTensor {
    enum Order: Equatable {
        /// The engine's floats are ONNX's, in ONNX's row-major order. The engine node's shape
        /// may differ from `dims` (a view): only the element order is promised.
        case onnx
        /// `dims` are NCHW [1, C, H, W]; the engine node holds them as [H, W, C].
        case channelsLast
        /// `dims` are [1, C*H*W], flattened from NCHW; the engine node holds the NHWC
        /// flattening [H*W*C]. Only a following MatMul/Gemm can use it (by permuting its rows).
        case flattenedChannelsLast(h: Int, w: Int, c: Int)
    }

    /// The engine node whose output holds the tensor.
    var node: Int
    /// The ONNX dims, batch axis first (counted as 1: the engine adds its own batch).
    var dims: [Int]
    var order: Order
    /// The ONNX node that made it: names the reshape/flatten nodes made to materialise a view.
    var source: String

    var rank: Int { dims.count }
    var count: Int { dims.reduce(1, *) }

    /// The same tensor described in ONNX order, where the engine's floats already are in that
    /// order: NCHW held as NHWC moves no data when C == 1 or H * W == 1. Nil otherwise.
    var inONNXOrder: HeldTensor? {
        switch order {
        case .onnx:
            return self
        case .channelsLast:
            return dims[1] == 1 || dims[2] * dims[3] == 1 ? with(order: .onnx) : nil
        case .flattenedChannelsLast(let h, let w, let c):
            return c == 1 || h * w == 1 ? with(order: .onnx) : nil
        }
    }

    func with(node: Int? = nil, dims: [Int]? = nil, order: Order? = nil, source: String? = nil) -> HeldTensor {
        HeldTensor(node: node ?? self.node, dims: dims ?? self.dims, order: order ?? self.order, source: source ?? self.source)
    }

    /// The ONNX axis that is the engine's last (channel) axis: C for NCHW tensors, the last
    /// axis for ONNX-ordered ones (once materialised in their natural shape). Nil for a
    /// flattened-channels-last tensor, whose axes do not line up.
    var engineChannelAxis: Int? {
        switch order {
        case .onnx: return rank - 1
        case .channelsLast: return 1
        case .flattenedChannelsLast: return nil
        }
    }

    /// The engine shape that holds ONNX-ordered `dims` without the batch axis:
    /// [1, F] -> [F] and [1, A, B, C] -> [A, B, C]. Nil for other ranks (the engine has none).
    static func naturalShape(_ dims: [Int]) -> [Int]? {
        [2, 4].contains(dims.count) ? Array(dims.dropFirst()) : nil
    }

    /// NCHW [1, C, H, W] -> the engine's [H, W, C].
    static func channelsLastShape(_ dims: [Int]) -> [Int] { [dims[2], dims[3], dims[1]] }
}

/// ONNX layout arithmetic that does not depend on the graph.
enum ONNXLayout {
    static let toChannelsFirst = [0, 3, 1, 2]   // NHWC -> NCHW
    static let toChannelsLast = [0, 2, 3, 1]    // NCHW -> NHWC

    static func permuted(_ dims: [Int], by perm: [Int]) -> [Int] { perm.map { dims[$0] } }

    /// True when a Transpose by `perm` moves no data: the axes longer than one keep their order.
    static func transposeKeepsOrder(_ dims: [Int], perm: [Int]) -> Bool {
        let moved = perm.filter { dims[$0] != 1 }
        return moved == moved.sorted()
    }

    /// The dims a Reshape produces: `0` copies the input's dim (unless `allowZero`), one `-1`
    /// takes what is left. Nil when the target does not fit the input's element count.
    static func reshapedDims(_ input: [Int], target: [Int], allowZero: Bool) -> [Int]? {
        var dims = target
        for (i, d) in dims.enumerated() where d == 0 && !allowZero {
            guard i < input.count else { return nil }
            dims[i] = input[i]
        }
        let total = input.reduce(1, *)
        let unknown = dims.indices.filter { dims[$0] == -1 }
        guard unknown.count <= 1, dims.allSatisfy({ $0 >= -1 }) else { return nil }
        if let i = unknown.first {
            let known = dims.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, total % known == 0 else { return nil }
            dims[i] = total / known
        }
        return dims.reduce(1, *) == total ? dims : nil
    }
}
