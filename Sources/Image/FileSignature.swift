import FileSystem

/// Says what a file that is none of the formats read looks like, so the error names it
/// ("TIFF signature", "text") rather than calling it corrupt.
enum FileSignature {
    /// What the bytes look like when `ImageFormat(signature:)` knows none of them.
    static func describe(_ bytes: UnsafeRawBufferPointer) -> String {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && prefix.indices.allSatisfy { bytes[offset + $0] == prefix[$0] }
        }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "damaged PNG signature" }
        if starts(Array("GIF8".utf8)) { return "GIF signature of an unknown version" }
        if starts(Array("RIFF".utf8)) { return "RIFF file that is not WebP" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF signature" }
        if starts(Array("ftyp".utf8), at: 4) { return "HEIF/MP4 signature" }
        if starts([0xFF, 0xD8]) { return "JPEG start marker without a segment" }
        // Text: valid UTF-8 without control characters other than tab and line ends.
        let sample = Array(bytes.prefix(512))
        var i = 0
        while i < sample.count {
            let length = RawPath.utf8SequenceLength(sample, at: i)
            if length == 0 {
                // A sequence cut off by the 512-byte sample still counts.
                if i + 4 > sample.count && sample.count == 512 { break }
                return "unknown signature"
            }
            if length == 1 && !(sample[i] == 9 || sample[i] == 10 || sample[i] == 13 || (32...126).contains(sample[i])) { return "unknown signature" }
            i += length
        }
        return "text"
    }
}
