import CWebPDecode

/// WebP through libwebp (Sources/CWebPDecode/dc_webp.c): the image, or an animation's first frame.
final class WebPDecoder: RowDecoder {
    private let handle: OpaquePointer

    init() {
        guard let handle = dc_webp_create() else { fatalError("dc_webp_create: out of memory") }
        self.handle = handle
    }

    deinit { dc_webp_destroy(handle) }

    func readHeader(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if dc_webp_read_header(handle, base, bytes.count, &width, &height) != 0 { throw failure() }
        return (Int(width), Int(height))
    }

    func decode(rows: [Int32], maxPixels: Int, into out: UnsafeMutablePointer<UInt8>) throws(ImageError) {
        let status = rows.withUnsafeBufferPointer { dc_webp_decode(handle, $0.baseAddress, Int32($0.count), out) }
        if status != 0 { throw failure() }
    }

    private func failure() -> ImageError {
        decodeFailure(.webp, message: dc_webp_message(handle), truncated: dc_webp_was_truncated(handle))
    }
}
