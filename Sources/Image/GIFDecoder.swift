import CGIFDecode

/// GIF through giflib (Sources/CGIFDecode/dc_gif.c): frame 0 on the logical screen, as
/// TensorFlow's decode_image(expand_animations=False) gives it.
final class GIFDecoder: RowDecoder {
    private let handle: OpaquePointer

    init() {
        guard let handle = dc_gif_create() else { fatalError("dc_gif_create: out of memory") }
        self.handle = handle
    }

    deinit { dc_gif_destroy(handle) }

    func readHeader(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if dc_gif_read_header(handle, base, bytes.count, &width, &height) != 0 { throw failure() }
        return (Int(width), Int(height))
    }

    func decode(rows: [Int32], maxPixels: Int, into out: UnsafeMutablePointer<UInt8>) throws(ImageError) {
        let status = rows.withUnsafeBufferPointer { dc_gif_decode(handle, maxPixels, $0.baseAddress, Int32($0.count), out) }
        if status != 0 { throw failure() }
    }

    private func failure() -> ImageError {
        decodeFailure(.gif, message: dc_gif_message(handle), truncated: dc_gif_was_truncated(handle))
    }
}
