import CJPEGDecode

/// What a JPEG's header says about it.
public struct JPEGHeader: Equatable {
    public var width: Int
    public var height: Int
    public var isCMYK: Bool
    public var sawAdobeMarker: Bool
    public var isProgressive: Bool
    /// Bytes per decoded pixel: RGBX, or CMYK (converted by `PixelConversions.cmykToRGB`).
    public var decodedChannels: Int { 4 }
}

/// A libjpeg-turbo decoder that produces only the rows it is asked for.
/// One per thread; the bytes passed to `readHeader` must stay alive until `decode` returns.
/// The C functions are `dc_jpeg_read_header` and `dc_jpeg_decode` (Sources/CJPEGDecode).
public final class JPEGDecoder {
    private let handle: OpaquePointer

    public init() {
        guard let handle = dc_jpeg_create() else { fatalError("dc_jpeg_create: out of memory") }
        self.handle = handle
    }

    deinit { dc_jpeg_destroy(handle) }

    public func readHeader(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> JPEGHeader {
        var header = dc_jpeg_header()
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if dc_jpeg_read_header(handle, base, bytes.count, &header) != 0 { throw failure() }
        return JPEGHeader(width: Int(header.width), height: Int(header.height),
                          isCMYK: header.is_cmyk != 0, sawAdobeMarker: header.saw_adobe_marker != 0,
                          isProgressive: header.progressive != 0)
    }

    /// The decoded size at scale 1/`scaleDenominator` (1, 2, 4 or 8).
    public func outputSize(scaleDenominator: Int) -> (width: Int, height: Int) {
        var w: Int32 = 0, h: Int32 = 0
        dc_jpeg_output_size(handle, Int32(scaleDenominator), &w, &h)
        return (Int(w), Int(h))
    }

    /// Decodes `rows` (ascending, distinct) into `out`: one packed row of
    /// width x 4 bytes (RGBX or CMYK) per listed row. `fastDCT` is libjpeg's IFAST IDCT,
    /// TensorFlow's default.
    public func decode(rows: [Int32], scaleDenominator: Int, fastDCT: Bool,
                       into out: UnsafeMutablePointer<UInt8>) throws(ImageError) {
        let status = rows.withUnsafeBufferPointer {
            dc_jpeg_decode(handle, fastDCT ? 1 : 0, Int32(scaleDenominator), $0.baseAddress, Int32($0.count), out)
        }
        if status != 0 { throw failure() }
    }

    private func failure() -> ImageError {
        var message = String(cString: dc_jpeg_message(handle))
        // libjpeg's warnings start with words our error text already says.
        for prefix in ["Corrupt JPEG data: ", "Warning: "] where message.hasPrefix(prefix) { message.removeFirst(prefix.count) }
        return dc_jpeg_was_truncated(handle) != 0 ? .truncated(.jpeg, message) : .corrupt(.jpeg, message)
    }
}
