/// Finds and edits the marker segments of a real JPEG, to make damaged copies of it.
public enum JPEGSegments {
    /// The offsets of the JPEG's marker segments before the first scan's data: (start, end, marker).
    public static func segments(_ jpeg: [UInt8]) -> [(start: Int, end: Int, marker: UInt8)] {
        var result: [(Int, Int, UInt8)] = []
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let end = i + 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
            result.append((i, end, jpeg[i + 1]))
            if jpeg[i + 1] == 0xDA { break }
            i = end
        }
        return result
    }

    /// Where the first scan's entropy-coded data starts.
    public static func scanStart(_ jpeg: [UInt8]) -> Int { segments(jpeg).last { $0.marker == 0xDA }!.end }

    /// The JPEG with its frame header (SOFn) claiming another size.
    public static func withSize(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8] {
        var bytes = jpeg
        let sof = segments(jpeg).first { (0xC0...0xCF).contains($0.marker) && ![0xC4, 0xC8, 0xCC].contains($0.marker) }!
        bytes[sof.start + 5] = UInt8(height >> 8); bytes[sof.start + 6] = UInt8(height & 0xFF)
        bytes[sof.start + 7] = UInt8(width >> 8); bytes[sof.start + 8] = UInt8(width & 0xFF)
        return bytes
    }
}
