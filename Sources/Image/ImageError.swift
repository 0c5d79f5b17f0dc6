/// Why one photo could not be turned into a model input. Each case becomes the
/// `error` column of that photo's row; the run goes on.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    case notFound
    case isDirectory
    case unreadable(String)
    case empty
    case notJPEG(String)
    case truncated(String)
    case corrupt(String)
    case tooLarge(width: Int, height: Int, maxPixels: Int)

    public var description: String {
        switch self {
        case .notFound: return "file not found"
        case .isDirectory: return "is a directory, not a file"
        case .unreadable(let why): return "cannot read file: \(why)"
        case .empty: return "empty file"
        case .notJPEG(let kind): return "not a JPEG (\(kind))"
        case .truncated(let detail): return "truncated JPEG (\(detail))"
        case .corrupt(let detail): return "corrupt JPEG: \(detail)"
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
        case .notJPEG: return .notJPEG
        case .truncated: return .truncatedJPEG
        case .corrupt: return .corruptJPEG
        case .tooLarge: return .imageTooLarge
        }
    }
}
