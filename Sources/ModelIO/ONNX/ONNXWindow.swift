import Engine

/// The 2-D window of a Conv or pooling node (kernel, strides, dilations) and its ONNX
/// padding as the engine expresses it: no padding is `.valid`; the padding TensorFlow's
/// `same` would use (extra row/column at the end) is `.same`; anything else is explicit
/// [top, bottom, left, right] counts for a `.zeroPadding` node in front.
struct ONNXWindow {
    enum Pads: Equatable {
        case engine(Padding)
        case explicit([Int])
    }

    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var pads: Pads
    /// The padding as [top, bottom, left, right] counts, whichever way the engine expresses it.
    var counts: [Int]

    /// Reads `strides`, `dilations`, `pads` and `auto_pad` of `node` for a window of `kernel`
    /// over an input of `height` x `width`.
    init(node: ONNXNode, kernel: [Int], height: Int, width: Int) throws(ModelError) {
        let strides = try node.ints("strides") ?? [1, 1]
        let dilations = try node.ints("dilations") ?? [1, 1]
        (self.kernel, self.strides, self.dilations) = (kernel, strides, dilations)
        guard kernel.count == 2, strides.count == 2, dilations.count == 2 else {
            throw node.unsupported("window of rank \(kernel.count) (only 2-D windows: kernel \(kernel), strides \(strides), dilations \(dilations))")
        }
        guard (kernel + strides + dilations).allSatisfy({ $0 > 0 }) else {
            throw node.error("kernel \(kernel), strides \(strides) and dilations \(dilations) must be positive")
        }
        let inputs = [height, width]
        // [top, left, bottom, right], ONNX's [x1_begin, x2_begin, x1_end, x2_end].
        let onnxPads: [Int]
        let autoPad = try node.string("auto_pad", default: "NOTSET")
        switch autoPad {
        case "NOTSET":
            onnxPads = try node.ints("pads") ?? [0, 0, 0, 0]
            guard onnxPads.count == 4 else { throw node.unsupported("pads=\(onnxPads) (four counts for a 2-D window)") }
            guard onnxPads.allSatisfy({ $0 >= 0 }) else { throw node.unsupported("negative pads=\(onnxPads)") }
        case "VALID":
            onnxPads = [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            let totals = (0..<2).map { Self.sameTotal(inputs[$0], kernel: kernel[$0], stride: strides[$0], dilation: dilations[$0]) }
            let before = totals.map { autoPad == "SAME_UPPER" ? $0 / 2 : $0 - $0 / 2 }
            onnxPads = before + zip(totals, before).map { $0 - $1 }
        default:
            throw node.unsupported("auto_pad=\(autoPad)")
        }
        let tfSameBefore = (0..<2).map {
            ShapeInference.padBefore(inputs[$0], kernel: kernel[$0], stride: strides[$0], dilation: dilations[$0], padding: .same)
        }
        let tfSame = tfSameBefore + (0..<2).map {
            Self.sameTotal(inputs[$0], kernel: kernel[$0], stride: strides[$0], dilation: dilations[$0]) - tfSameBefore[$0]
        }
        counts = [onnxPads[0], onnxPads[2], onnxPads[1], onnxPads[3]]
        if onnxPads.allSatisfy({ $0 == 0 }) {
            pads = .engine(.valid)
        } else if onnxPads == tfSame {
            pads = .engine(.same)
        } else {
            pads = .explicit(counts)
        }
    }

    /// The total padding of TensorFlow's `same` along one axis.
    static func sameTotal(_ input: Int, kernel: Int, stride: Int, dilation: Int) -> Int {
        let output = (input + stride - 1) / stride
        return max((output - 1) * stride + (kernel - 1) * dilation + 1 - input, 0)
    }
}
