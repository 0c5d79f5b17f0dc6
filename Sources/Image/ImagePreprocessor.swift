import CInterpolate
import FileSystem

/// Turns JPEG bytes into a model input exactly as the TensorFlow pipeline does:
///   decode_jpeg(channels=3, IFAST DCT, fancy upsampling)
///   -> [1 channel: rgb_to_grayscale] -> resize(bilinear, antialias=False) -> / 255.
/// The non-antialiased resize reads at most two source rows and columns per output
/// pixel, so only those rows are decoded and only those pixels converted; the values
/// are the same as converting the whole image.
///
/// With `fastDecode`, libjpeg first scales by 1/2, 1/4 or 1/8 in the DCT domain (the
/// smallest size not below the model input): faster on big photos, not TF-exact.
/// One instance per thread: it owns the decoder and scratch buffers. `geometry.channels`
/// is 1 or 3 (`InputGeometry(modelInput:)` is where a model's input is checked).
public final class ImagePreprocessor {
    public let geometry: InputGeometry
    public let maxPixels: Int
    public let fastDecode: Bool

    private let decoder = JPEGDecoder()
    private var fileBytes: [UInt8] = []
    private var decodedRows: [UInt8] = []
    private var converted: [Float] = []    // one decoded row in the model's channels
    private var horizontal: [Float] = []   // decoded rows after the horizontal interpolation

    public init(geometry: InputGeometry, maxPixels: Int = 100_000_000, fastDecode: Bool = false) {
        self.geometry = geometry
        self.maxPixels = maxPixels
        self.fastDecode = fastDecode
    }

    /// Reads the file at `path` and writes geometry.count floats to `out`.
    public func load(path: RawPath, into out: UnsafeMutablePointer<Float>) throws(ImageError) {
        let count = try ImageFile.read(path, into: &fileBytes)
        try withUnsafeTypedThrows(fileBytes, count: count) { bytes throws(ImageError) in
            try preprocess(bytes, into: out)
        }
    }

    /// Decodes and preprocesses JPEG `bytes`, writing geometry.count floats to `out`.
    public func preprocess(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Float>) throws(ImageError) {
        if bytes.isEmpty { throw .empty }
        let header = try decoder.readHeader(bytes)
        if header.width * header.height > maxPixels {
            throw .tooLarge(width: header.width, height: header.height, maxPixels: maxPixels)
        }
        let scale = fastDecode ? dctScale(for: header) : 1
        let (width, height) = decoder.outputSize(scaleDenominator: scale)
        let rowAxis = ResizeAxis(inputSize: height, outputSize: geometry.height)
        let columnAxis = ResizeAxis(inputSize: width, outputSize: geometry.width)
        let rows = rowAxis.sourceIndices

        let rowBytes = width * header.decodedChannels
        if decodedRows.count < rows.count * rowBytes { decodedRows = [UInt8](repeating: 0, count: rows.count * rowBytes) }
        try decodedRows.withUnsafeMutableBufferPointer { buffer throws(ImageError) in
            try decoder.decode(rows: rows, scaleDenominator: scale, fastDCT: true, into: buffer.baseAddress!)
        }
        resize(rowAxis: rowAxis, rows: rows, columnAxis: columnAxis, header: header, sourceWidth: width, into: out)
    }

    /// The largest DCT scale-down (8, 4, 2) that keeps both sides at or above the model input.
    private func dctScale(for header: JPEGHeader) -> Int {
        for denominator in [8, 4, 2] {
            let (w, h) = decoder.outputSize(scaleDenominator: denominator)
            if w >= geometry.width && h >= geometry.height { return denominator }
        }
        return 1
    }

    /// The resize in two passes, in TensorFlow's order of operations: each decoded row is
    /// converted to the model's channels (grey, or RGB from CMYK) and interpolated
    /// horizontally once (top = left + (right - left) * xLerp), then each output row is
    /// top + (bottom - top) * yLerp of two such rows, then / 255. Plain loops over
    /// pointers, which the compiler vectorises; a grey row's horizontal step gathers its
    /// sources with vector permutes in C (dc_interpolate_row, about 3x the plain loop).
    private func resize(rowAxis: ResizeAxis, rows: [Int32], columnAxis: ResizeAxis, header: JPEGHeader,
                        sourceWidth: Int, into out: UnsafeMutablePointer<Float>) {
        let outRow = geometry.width * geometry.channels
        if horizontal.count < rows.count * outRow { horizontal = [Float](repeating: 0, count: rows.count * outRow) }
        if converted.count < sourceWidth * geometry.channels { converted = [Float](repeating: 0, count: sourceWidth * geometry.channels) }
        // Every pointer lives only inside its own closure.
        decodedRows.withUnsafeMutableBufferPointer { decoded in
            horizontal.withUnsafeMutableBufferPointer { across in
                converted.withUnsafeMutableBufferPointer { row in
                    columnAxis.lower.withUnsafeBufferPointer { left in
                        columnAxis.upper.withUnsafeBufferPointer { right in
                            columnAxis.lerp.withUnsafeBufferPointer { xLerp in
                                horizontalPass(decoded.baseAddress!, rowCount: rows.count, header: header, sourceWidth: sourceWidth,
                                               row: row.baseAddress!, left: left.baseAddress!, right: right.baseAddress!,
                                               xLerp: xLerp.baseAddress!, into: across.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        horizontal.withUnsafeBufferPointer { verticalPass($0.baseAddress!, rowAxis: rowAxis, rows: rows, into: out) }
    }

    /// Each decoded row (converted in place from CMYK first) in the model's channels,
    /// interpolated horizontally: `rowCount` rows of width x channels floats in `target`.
    private func horizontalPass(_ decoded: UnsafeMutablePointer<UInt8>, rowCount: Int, header: JPEGHeader, sourceWidth: Int,
                                row: UnsafeMutablePointer<Float>, left: UnsafePointer<Int32>, right: UnsafePointer<Int32>,
                                xLerp: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        let channels = geometry.channels, width = geometry.width
        let outRow = width * channels
        let decodedChannels = header.decodedChannels
        for r in 0..<rowCount {
            let source = decoded + r * sourceWidth * decodedChannels
            if header.isCMYK {
                PixelConversions.cmykToRGB(source, count: sourceWidth, adobe: header.sawAdobeMarker)
            }
            if channels == 1 {
                PixelConversions.grey(source, count: sourceWidth, into: row)
            } else {
                for x in 0..<sourceWidth {
                    row[3 * x] = Float(source[4 * x])
                    row[3 * x + 1] = Float(source[4 * x + 1])
                    row[3 * x + 2] = Float(source[4 * x + 2])
                }
            }
            let rowTarget = target + r * outRow
            if channels == 1 {
                dc_interpolate_row(row, Int32(sourceWidth), left, right, xLerp, Int32(width), rowTarget)
            } else {
                for x in 0..<width {
                    for c in 0..<3 {
                        let a = row[3 * Int(left[x]) + c], b = row[3 * Int(right[x]) + c]
                        rowTarget[3 * x + c] = a + (b - a) * xLerp[x]
                    }
                }
            }
        }
    }

    /// Each output row is top + (bottom - top) * yLerp of two horizontally interpolated
    /// rows, found by their position in `rows`, then / 255.
    private func verticalPass(_ across: UnsafePointer<Float>, rowAxis: ResizeAxis, rows: [Int32], into out: UnsafeMutablePointer<Float>) {
        let outRow = geometry.width * geometry.channels
        var slot = [Int32](repeating: 0, count: Int(rows.last ?? 0) + 1)
        for (i, r) in rows.enumerated() { slot[Int(r)] = Int32(i) }
        for y in 0..<geometry.height {
            let top = across + Int(slot[Int(rowAxis.lower[y])]) * outRow
            let bottom = across + Int(slot[Int(rowAxis.upper[y])]) * outRow
            let t = rowAxis.lerp[y]
            let target = out + y * outRow
            for x in 0..<outRow { target[x] = (top[x] + (bottom[x] - top[x]) * t) / 255 }
        }
    }
}

/// `withUnsafeBytes` with a typed-throws body over the first `count` bytes.
func withUnsafeTypedThrows<R>(_ array: [UInt8], count: Int,
                              _ body: (UnsafeRawBufferPointer) throws(ImageError) -> R) throws(ImageError) -> R {
    var result: Result<R, ImageError>!
    array.withUnsafeBytes { raw in
        do throws(ImageError) { result = .success(try body(UnsafeRawBufferPointer(rebasing: raw[0..<count]))) }
        catch { result = .failure(error) }
    }
    return try result.get()
}

extension ImagePreprocessor {
    /// The grey conversion of RGBX pixels on its own, for tests.
    public static func greyForTesting(_ rgbx: [UInt8], into grey: inout [Float]) {
        rgbx.withUnsafeBufferPointer { source in
            grey.withUnsafeMutableBufferPointer { PixelConversions.grey(source.baseAddress!, count: rgbx.count / 4, into: $0.baseAddress!) }
        }
    }
}
