import CPNGDecode

/// PNG through libpng (Sources/CPNGDecode/dc_png.c), TensorFlow's pixels for channels=3.
final class PNGDecoder: RowDecoder {
    private let handle: OpaquePointer

    init() {
        guard let handle = dc_png_create() else { fatalError("dc_png_create: out of memory") }
        self.handle = handle
    }

    deinit { dc_png_destroy(handle) }

    func readHeader(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        var header = dc_png_header()
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if dc_png_read_header(handle, base, bytes.count, &header) != 0 { throw failure() }
        return (Int(header.width), Int(header.height))
    }

    func decode(rows: [Int32], maxPixels: Int, into out: UnsafeMutablePointer<UInt8>) throws(ImageError) {
        let status = rows.withUnsafeBufferPointer { dc_png_decode(handle, $0.baseAddress, Int32($0.count), out) }
        if status != 0 { throw failure() }
    }

    private func failure() -> ImageError {
        decodeFailure(.png, message: dc_png_message(handle), truncated: dc_png_was_truncated(handle))
    }
}
