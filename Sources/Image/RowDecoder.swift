/// A decoder of one format beside JPEG, as the preprocessing uses it: the image's size from
/// its header, then only the rows the resize reads, as RGBX (R, G, B and a padding byte,
/// like the JPEG decoder's rows). One per thread.
protocol RowDecoder: AnyObject {
    /// The width and height in pixels; `bytes` must stay alive until `decode` returns.
    func readHeader(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int)

    /// Decodes `rows` (ascending, distinct) into `out`, width x 4 bytes per listed row.
    /// `maxPixels` bounds what the decoder allocates beyond the header's size (a GIF frame).
    func decode(rows: [Int32], maxPixels: Int, into out: UnsafeMutablePointer<UInt8>) throws(ImageError)
}

/// The `ImageError` of a C shim's failure: truncated when the data ended early, else corrupt.
func decodeFailure(_ format: ImageFormat, message: UnsafePointer<CChar>, truncated: Int32) -> ImageError {
    let text = String(cString: message)
    return truncated != 0 ? .truncated(format, text) : .corrupt(format, text)
}
