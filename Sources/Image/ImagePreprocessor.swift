/// The model input an image is turned into: height x width x channels (1 = grey, 3 = RGB).
public struct InputGeometry: Equatable, Sendable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public init(height: Int, width: Int, channels: Int) {
        self.height = height; self.width = width; self.channels = channels
    }
    public var count: Int { height * width * channels }
}

/// Turns JPEG bytes into a model input exactly as the TensorFlow pipeline does:
///   decode_jpeg(channels=3, IFAST DCT, fancy upsampling)
///   -> [1 channel: rgb_to_grayscale] -> resize(bilinear, antialias=False) -> / 255.
/// The non-antialiased resize reads at most two source rows and columns per output
/// pixel, so only those rows are decoded and only those pixels converted; the values
/// are the same as converting the whole image.
///
/// With `fastDecode`, libjpeg first scales by 1/2, 1/4 or 1/8 in the DCT domain (the
/// smallest size not below the model input): faster on big photos, not TF-exact.
/// One instance per thread: it owns the decoder and scratch buffers.
public final class ImagePreprocessor {
    public let geometry: InputGeometry
    public let maxPixels: Int
    public let fastDecode: Bool

    private let decoder = JPEGDecoder()
    private var fileBytes: [UInt8] = []
    private var decodedRows: [UInt8] = []
    private var samples: [UInt8] = []   // the source pixels the resize reads, in the model's channels

    public init(geometry: InputGeometry, maxPixels: Int = 100_000_000, fastDecode: Bool = false) {
        precondition(geometry.channels == 1 || geometry.channels == 3, "model input must have 1 or 3 channels")
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
        let columns = columnAxis.sourceIndices

        let rowBytes = width * header.decodedChannels
        if decodedRows.count < rows.count * rowBytes { decodedRows = [UInt8](repeating: 0, count: rows.count * rowBytes) }
        try decodedRows.withUnsafeMutableBufferPointer { buffer throws(ImageError) in
            try decoder.decode(rows: rows, scaleDenominator: scale, fastDCT: true, into: buffer.baseAddress!)
        }
        gatherSamples(rowCount: rows.count, rowBytes: rowBytes, columns: columns, header: header)
        resize(rowAxis: rowAxis, rows: rows, columnAxis: columnAxis, columns: columns, into: out)
    }

    /// The largest DCT scale-down (8, 4, 2) that keeps both sides at or above the model input.
    private func dctScale(for header: JPEGHeader) -> Int {
        for denominator in [8, 4, 2] {
            let (w, h) = decoder.outputSize(scaleDenominator: denominator)
            if w >= geometry.width && h >= geometry.height { return denominator }
        }
        return 1
    }

    /// Copies the pixels at (rows x columns) out of the decoded rows, converting CMYK to RGB
    /// and RGB to grey as the model needs. Result: rows.count x columns.count x channels.
    private func gatherSamples(rowCount: Int, rowBytes: Int, columns: [Int32], header: JPEGHeader) {
        let channels = geometry.channels
        let needed = rowCount * columns.count * channels
        if samples.count < needed { samples = [UInt8](repeating: 0, count: needed) }
        let decodedChannels = header.decodedChannels
        let adobe = header.sawAdobeMarker
        decodedRows.withUnsafeBufferPointer { source in
            samples.withUnsafeMutableBufferPointer { target in
                var t = 0
                for r in 0..<rowCount {
                    let row = source.baseAddress! + r * rowBytes
                    for column in columns {
                        let p = row + Int(column) * decodedChannels
                        var (red, green, blue) = (p[0], p[1], p[2])
                        if decodedChannels == 4 {
                            (red, green, blue) = PixelConversions.rgb(c: Int(p[0]), m: Int(p[1]), y: Int(p[2]),
                                                                      k: Int(p[3]), adobe: adobe)
                        }
                        if channels == 1 {
                            target[t] = PixelConversions.gray(red, green, blue); t += 1
                        } else {
                            target[t] = red; target[t + 1] = green; target[t + 2] = blue; t += 3
                        }
                    }
                }
            }
        }
    }

    /// TF's bilinear interpolation on the gathered samples, in float32, then / 255.
    private func resize(rowAxis: ResizeAxis, rows: [Int32], columnAxis: ResizeAxis, columns: [Int32],
                        into out: UnsafeMutablePointer<Float>) {
        let channels = geometry.channels
        let sampleRow = columns.count * channels
        let rowSlot = compactIndex(of: rows)
        let columnSlot = compactIndex(of: columns)
        let left = columnAxis.lower.map { rowOffset(columnSlot, $0) * channels }
        let right = columnAxis.upper.map { rowOffset(columnSlot, $0) * channels }
        samples.withUnsafeBufferPointer { s in
            var o = 0
            for y in 0..<geometry.height {
                let top = s.baseAddress! + rowOffset(rowSlot, rowAxis.lower[y]) * sampleRow
                let bottom = s.baseAddress! + rowOffset(rowSlot, rowAxis.upper[y]) * sampleRow
                let yLerp = rowAxis.lerp[y]
                for x in 0..<geometry.width {
                    let xLerp = columnAxis.lerp[x]
                    for c in 0..<channels {
                        let topLeft = Float(top[left[x] + c]), topRight = Float(top[right[x] + c])
                        let bottomLeft = Float(bottom[left[x] + c]), bottomRight = Float(bottom[right[x] + c])
                        let upper = topLeft + (topRight - topLeft) * xLerp
                        let lower = bottomLeft + (bottomRight - bottomLeft) * xLerp
                        out[o] = (upper + (lower - upper) * yLerp) / 255
                        o += 1
                    }
                }
            }
        }
    }

    /// For sorted distinct `indices`, a table from source index to position in the list.
    private func compactIndex(of indices: [Int32]) -> [Int32] {
        var table = [Int32](repeating: -1, count: Int(indices.last ?? 0) + 1)
        for (slot, index) in indices.enumerated() { table[Int(index)] = Int32(slot) }
        return table
    }

    @inline(__always)
    private func rowOffset(_ table: [Int32], _ index: Int32) -> Int { Int(table[Int(index)]) }
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
