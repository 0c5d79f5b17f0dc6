/// Why a photo has no result, as a closed set: the summary counts failures by reason, the
/// ranks send it to rank 0 as a number, and the results index stores it as a number.
/// The raw values are the index's codes (code = -rawValue - 1) and must never change:
/// an output written by an earlier run is resumed by reading them back. New reasons are
/// appended.
public enum FailureReason: Int32, CaseIterable, Sendable {
    case notFound = 0
    case directory = 1
    case unreadable = 2
    case emptyFile = 3
    case unsupportedFormat = 4   // "not a JPEG" before the other formats were read
    case truncatedJPEG = 5
    case corruptJPEG = 6
    case imageTooLarge = 7
    // The formats beside JPEG.
    case truncatedPNG = 8
    case corruptPNG = 9
    case truncatedGIF = 10
    case corruptGIF = 11
    case truncatedWebP = 12
    case corruptWebP = 13
    case truncatedBMP = 14
    case corruptBMP = 15
    // Tar shards.
    case truncatedShard = 16   // a member cut off by the end of its shard
    case corruptShard = 17     // a tar header that does not parse: the rest of its shard
    case notATar = 18          // a .tar input that is not a tar archive

    /// The short category the summary prints, e.g. "truncated JPEG".
    public var text: String {
        switch self {
        case .notFound: return "not found"
        case .directory: return "directory"
        case .unreadable: return "unreadable"
        case .emptyFile: return "empty file"
        case .unsupportedFormat: return "unsupported format"
        case .truncatedJPEG: return "truncated JPEG"
        case .corruptJPEG: return "corrupt JPEG"
        case .imageTooLarge: return "image too large"
        case .truncatedPNG: return "truncated PNG"
        case .corruptPNG: return "corrupt PNG"
        case .truncatedGIF: return "truncated GIF"
        case .corruptGIF: return "corrupt GIF"
        case .truncatedWebP: return "truncated WebP"
        case .corruptWebP: return "corrupt WebP"
        case .truncatedBMP: return "truncated BMP"
        case .corruptBMP: return "corrupt BMP"
        case .truncatedShard: return "truncated tar shard"
        case .corruptShard: return "corrupt tar shard"
        case .notATar: return "not a tar"
        }
    }
}
