/// Why a photo has no result, as a closed set: the summary counts failures by reason, the
/// ranks send it to rank 0 as a number, and the results index stores it as a number.
/// The raw values are the index's codes (code = -rawValue - 1) and must never change:
/// an output written by an earlier run is resumed by reading them back.
public enum FailureReason: Int32, CaseIterable, Sendable {
    case notFound = 0
    case directory = 1
    case unreadable = 2
    case emptyFile = 3
    case notJPEG = 4
    case truncatedJPEG = 5
    case corruptJPEG = 6
    case imageTooLarge = 7

    /// The short category the summary prints, e.g. "truncated JPEG".
    public var text: String {
        switch self {
        case .notFound: return "not found"
        case .directory: return "directory"
        case .unreadable: return "unreadable"
        case .emptyFile: return "empty file"
        case .notJPEG: return "not a JPEG"
        case .truncatedJPEG: return "truncated JPEG"
        case .corruptJPEG: return "corrupt JPEG"
        case .imageTooLarge: return "image too large"
        }
    }
}
