/// The formats dogcat-mpi decodes, each told by its first bytes, never by the file's name.
public enum ImageFormat: Sendable, CaseIterable {
    case jpeg, png, gif, webp, bmp

    /// The name the error column and the summary use.
    public var name: String {
        switch self {
        case .jpeg: return "JPEG"
        case .png: return "PNG"
        case .gif: return "GIF"
        case .webp: return "WebP"
        case .bmp: return "BMP"
        }
    }

    /// The format whose signature `bytes` start with, if any.
    public init?(signature bytes: UnsafeRawBufferPointer) {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && prefix.indices.allSatisfy { bytes[offset + $0] == prefix[$0] }
        }
        if starts([0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { self = .png }
        else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { self = .gif }
        else if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { self = .webp }
        else if starts(Array("BM".utf8)) { self = .bmp }
        else { return nil }
    }

    /// The failure reasons of a damaged file of this format.
    var truncatedReason: FailureReason {
        switch self {
        case .jpeg: return .truncatedJPEG
        case .png: return .truncatedPNG
        case .gif: return .truncatedGIF
        case .webp: return .truncatedWebP
        case .bmp: return .truncatedBMP
        }
    }

    var corruptReason: FailureReason {
        switch self {
        case .jpeg: return .corruptJPEG
        case .png: return .corruptPNG
        case .gif: return .corruptGIF
        case .webp: return .corruptWebP
        case .bmp: return .corruptBMP
        }
    }
}
