/// ONNX weight layouts -> the engine's (Keras's), rearranged once at load.
enum ONNXWeightLayout {
    /// Conv kernel [O, I, KH, KW] -> [KH, KW, I, O]. For a depthwise kernel [C*M, 1, KH, KW]
    /// the result, [KH, KW, 1, C*M], is already [KH, KW, C, M] (output channel c*M + m).
    static func convKernel(_ w: [Float], o: Int, i: Int, kh: Int, kw: Int) -> [Float] {
        var out = [Float](repeating: 0, count: w.count)
        for oc in 0..<o {
            for ic in 0..<i {
                for y in 0..<kh {
                    for x in 0..<kw {
                        out[((y * kw + x) * i + ic) * o + oc] = w[((oc * i + ic) * kh + y) * kw + x]
                    }
                }
            }
        }
        return out
    }

    /// Matrix [rows, columns] -> [columns, rows].
    static func transposed(_ m: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m.count)
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = m[r * columns + c] }
        }
        return out
    }

    /// Dense kernel [C*H*W, units] whose rows follow an NCHW flattening -> rows in the NHWC
    /// flattening the engine holds: engine row (y, x, ch) is ONNX row (ch, y, x).
    static func rowsFromChannelsFirst(_ kernel: [Float], h: Int, w: Int, c: Int, units: Int) -> [Float] {
        var out = [Float](repeating: 0, count: kernel.count)
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<c {
                    let engineRow = (y * w + x) * c + ch, onnxRow = (ch * h + y) * w + x
                    out[(engineRow * units)..<((engineRow + 1) * units)] = kernel[(onnxRow * units)..<((onnxRow + 1) * units)]
                }
            }
        }
        return out
    }
}
