import Foundation

/// Where the tests find things: the repository, the fetched default model, and `../shared/`
/// (real photos, TensorFlow goldens, models) beside the repository.
public enum TestData {
    public static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
    public static let goldens = shared.appendingPathComponent("goldens")
    public static let photos = shared.appendingPathComponent("data/photos")
    public static let seedPhotos = shared.appendingPathComponent("data/seed")
    /// The default model, fetched by scripts/setup.sh.
    public static let catsordogsModel = repository.appendingPathComponent("models/catsordogs.h5")
    public static let samples = repository.appendingPathComponent("data/samples")
    public static let binary = repository.appendingPathComponent(".build/release/dogcat-mpi")
    /// The MPI wrappers' self-test (Tests/MPISelfTest), built beside the binary.
    public static let mpiSelfTest = repository.appendingPathComponent(".build/release/mpi-selftest")

    /// The four dev photos whose exact TensorFlow input tensors are in goldens/.
    public static let goldenInputStems = ["cat.10", "dog.1", "Cat1002", "000bec180eb18c7604dcecc8fe0dba07"]

    public static func photo(stem: String) -> URL {
        let folder = stem.lowercased().hasPrefix("dog") || stem.count == 32 ? "dogs" : "cats"
        return photos.appendingPathComponent("\(folder)/\(stem).jpg")
    }

    /// Rows of a CSV file with a header and no quoted fields (the goldens), keyed by header name.
    public static func csvRows(_ url: URL) throws -> [[String: String]] {
        // The goldens have CRLF line ends.
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: .newlines).filter { !$0.isEmpty }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    /// The labeled dev photos (labels.csv order, every `every`-th), as absolute paths.
    public static func devPhotos(every: Int = 1) throws -> [String] {
        try csvRows(photos.appendingPathComponent("labels.csv")).enumerated()
            .filter { $0.offset % every == 0 }.map { photos.appendingPathComponent($0.element["file"]!).path }
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dogcat-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
