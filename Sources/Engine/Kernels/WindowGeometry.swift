/// The sizes of a sliding-window layer (convolution or pooling) on one image:
/// input (h, w, c), output (outH, outW, outC), window (kernelH, kernelW) with strides,
/// dilation and the `same` padding before the first row and column.
public struct WindowGeometry: Equatable {
    public var h, w, c: Int
    public var outH, outW, outC: Int
    public var kernelH, kernelW: Int
    public var strideH, strideW: Int
    public var dilationH, dilationW: Int
    public var padTop, padLeft: Int
    /// Rows and columns of the zero-padded input the window reads (stored: the kernels read them in their inner loops).
    public var paddedH, paddedW: Int

    /// With explicit zero padding before the first row and column (a ZeroPadding2D absorbed
    /// into the layer after it); the padding after follows from the output size.
    public init(inputShape: [Int], outputShape: [Int], kernel: [Int], strides: [Int], dilation: [Int], padTop: Int, padLeft: Int) {
        self.init(inputShape: inputShape, outputShape: outputShape, kernel: kernel, strides: strides, dilation: dilation, padding: .valid)
        (self.padTop, self.padLeft) = (padTop, padLeft)
        paddedH = max(h + padTop, (outH - 1) * strideH + (kernelH - 1) * dilationH + 1)
        paddedW = max(w + padLeft, (outW - 1) * strideW + (kernelW - 1) * dilationW + 1)
    }

    public init(inputShape: [Int], outputShape: [Int], kernel: [Int], strides: [Int], dilation: [Int], padding: Padding) {
        (h, w, c) = (inputShape[0], inputShape[1], inputShape[2])
        (outH, outW, outC) = (outputShape[0], outputShape[1], outputShape[2])
        (kernelH, kernelW) = (kernel[0], kernel[1])
        (strideH, strideW) = (strides[0], strides[1])
        (dilationH, dilationW) = (dilation[0], dilation[1])
        padTop = ShapeInference.padBefore(h, kernel: kernelH, stride: strideH, dilation: dilationH, padding: padding)
        padLeft = ShapeInference.padBefore(w, kernel: kernelW, stride: strideW, dilation: dilationW, padding: padding)
        paddedH = max(h + padTop, (outH - 1) * strideH + (kernelH - 1) * dilationH + 1)
        paddedW = max(w + padLeft, (outW - 1) * strideW + (kernelW - 1) * dilationW + 1)
    }

    public var needsPadding: Bool { paddedH != h || paddedW != w || padTop != 0 || padLeft != 0 }
}

extension WindowGeometry {
    /// Copies an (h, w, c) image into `padded`, a zero-bordered buffer `width` pixels wide,
    /// at (padTop, padLeft); returns it (or `image` itself when there is no buffer). Only the
    /// interior is written: the border stays as allocated, zero.
    func padded(_ image: UnsafePointer<Float>, into padded: FloatBuffer?, width: Int? = nil) -> UnsafePointer<Float> {
        guard let padded else { return image }
        let rowWidth = width ?? paddedW
        for y in 0..<h {
            (padded.pointer + ((y + padTop) * rowWidth + padLeft) * c).update(from: image + y * w * c, count: w * c)
        }
        return UnsafePointer(padded.pointer)
    }
}
