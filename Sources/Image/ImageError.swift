/// Why one photo could not be turned into a model input. Each case becomes the
/// `error` column of that photo's row; the run goes on.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    case notFound
    case isDirectory
    case unreadable(String)
    case empty
    /// Not one of the formats read (the detail names what it looks like: "TIFF signature", "text").
    case unsupportedFormat(String)
    case truncated(ImageFormat, String)
    case corrupt(ImageFormat, String)
    case tooLarge(width: Int, height: Int, maxPixels: Int)

    public var description: String {
        switch self {
        case .notFound: return "file not found"
        case .isDirectory: return "is a directory, not a file"
        case .unreadable(let why): return "cannot read file: \(why)"
        case .empty: return "empty file"
        case .unsupportedFormat(let kind): return "unsupported format (\(kind))"
        case .truncated(let format, let detail): return "truncated \(format.name) (\(detail))"
        case .corrupt(let format, let detail): return "corrupt \(format.name): \(detail)"
        case .tooLarge(let w, let h, let max): return "image too large: \(w)x\(h) (more than \(max) pixels)"
        }
    }

    /// The category the summary counts this failure under.
    public var reason: FailureReason {
        switch self {
        case .notFound: return .notFound
        case .isDirectory: return .directory
        case .unreadable: return .unreadable
        case .empty: return .emptyFile
        case .unsupportedFormat: return .unsupportedFormat
        case .truncated(let format, _): return format.truncatedReason
        case .corrupt(let format, _): return format.corruptReason
        case .tooLarge: return .imageTooLarge
        }
    }
}
