import CInterpolate
import FileSystem

/// Turns photo bytes into a model input exactly as the TensorFlow pipeline does:
///   decode_jpeg(channels=3, IFAST DCT, fancy upsampling; or PNG, GIF, WebP, BMP as TF reads them)
///   -> [1 channel: rgb_to_grayscale] -> resize(bilinear, antialias=False) -> / 255.
/// The format is told by the file's first bytes (`ImageFormat`), never by its name.
/// The non-antialiased resize reads at most two source rows and columns per output
/// pixel, so only those rows are decoded (JPEG) or kept (the others) and only those pixels
/// converted; the values are the same as converting the whole image.
///
/// With `fastDecode`, libjpeg first scales by 1/2, 1/4 or 1/8 in the DCT domain (the
/// smallest size not below the model input): faster on big photos, not TF-exact. It
/// changes nothing for the other formats.
/// One instance per thread: it owns the decoders and scratch buffers. `geometry.channels`
/// is 1 or 3 (`InputGeometry(modelInput:)` is where a model's input is checked).
public final class ImagePreprocessor {
    public let geometry: InputGeometry
    public let maxPixels: Int
    public let fastDecode: Bool

    private let jpeg = JPEGDecoder()
    private lazy var png = PNGDecoder()
    private lazy var gif = GIFDecoder()
    private lazy var webp = WebPDecoder()
    private lazy var bmp = BMPDecoder()
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

    /// Decodes and preprocesses the photo in `bytes`, writing geometry.count floats to `out`.
    public func preprocess(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Float>) throws(ImageError) {
        if bytes.isEmpty { throw .empty }
        guard let format = ImageFormat(signature: bytes) else { throw .unsupportedFormat(FileSignature.describe(bytes)) }
        if format == .jpeg { return try preprocessJPEG(bytes, into: out) }
        let decoder = rowDecoder(for: format)
        let (width, height) = try decoder.readHeader(bytes)
        try checkSize(width: width, height: height)
        try decodeAndResize(width: width, height: height, layout: .rgbx, into: out) { rows, target throws(ImageError) in
            try decoder.decode(rows: rows, maxPixels: maxPixels, into: target)
        }
    }

    private func preprocessJPEG(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Float>) throws(ImageError) {
        let header = try jpeg.readHeader(bytes)
        try checkSize(width: header.width, height: header.height)
        let scale = fastDecode ? dctScale(for: header) : 1
        let (width, height) = jpeg.outputSize(scaleDenominator: scale)
        let layout: PixelLayout = header.isCMYK ? .cmyk(adobe: header.sawAdobeMarker) : .rgbx
        try decodeAndResize(width: width, height: height, layout: layout, into: out) { rows, target throws(ImageError) in
            try jpeg.decode(rows: rows, scaleDenominator: scale, fastDCT: true, into: target)
        }
    }

    private func rowDecoder(for format: ImageFormat) -> RowDecoder {
        switch format {
        case .png: return png
        case .gif: return gif
        case .webp: return webp
        case .bmp: return bmp
        case .jpeg: preconditionFailure("JPEG has its own path")
        }
    }

    /// Refuses a header's size above the pixel limit before anything that size is allocated.
    private func checkSize(width: Int, height: Int) throws(ImageError) {
        if width * height > maxPixels { throw .tooLarge(width: width, height: height, maxPixels: maxPixels) }
    }

    /// Decodes the rows the resize reads (4 bytes a pixel) with `decode`, then resizes them into `out`.
    private func decodeAndResize(width: Int, height: Int, layout: PixelLayout, into out: UnsafeMutablePointer<Float>,
                                 decode: ([Int32], UnsafeMutablePointer<UInt8>) throws(ImageError) -> Void) throws(ImageError) {
        let rowAxis = ResizeAxis(inputSize: height, outputSize: geometry.height)
        let columnAxis = ResizeAxis(inputSize: width, outputSize: geometry.width)
        let rows = rowAxis.sourceIndices
        let rowBytes = width * 4
        if decodedRows.count < rows.count * rowBytes { decodedRows = [UInt8](repeating: 0, count: rows.count * rowBytes) }
        try decodedRows.withUnsafeMutableBufferPointer { buffer throws(ImageError) in
            try decode(rows, buffer.baseAddress!)
        }
        resize(rowAxis: rowAxis, rows: rows, columnAxis: columnAxis, layout: layout, sourceWidth: width, into: out)
    }

    /// The largest DCT scale-down (8, 4, 2) that keeps both sides at or above the model input.
    private func dctScale(for header: JPEGHeader) -> Int {
        for denominator in [8, 4, 2] {
            let (w, h) = jpeg.outputSize(scaleDenominator: denominator)
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
    private func resize(rowAxis: ResizeAxis, rows: [Int32], columnAxis: ResizeAxis, layout: PixelLayout,
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
                                horizontalPass(decoded.baseAddress!, rowCount: rows.count, layout: layout, sourceWidth: sourceWidth,
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
    private func horizontalPass(_ decoded: UnsafeMutablePointer<UInt8>, rowCount: Int, layout: PixelLayout, sourceWidth: Int,
                                row: UnsafeMutablePointer<Float>, left: UnsafePointer<Int32>, right: UnsafePointer<Int32>,
                                xLerp: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        let channels = geometry.channels, width = geometry.width
        let outRow = width * channels
        for r in 0..<rowCount {
            let source = decoded + r * sourceWidth * 4
            if case .cmyk(let adobe) = layout {
                PixelConversions.cmykToRGB(source, count: sourceWidth, adobe: adobe)
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

/// What the 4 bytes of a decoded pixel are: R, G, B and padding, or a JPEG's C, M, Y, K.
enum PixelLayout {
    case rgbx
    case cmyk(adobe: Bool)
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
