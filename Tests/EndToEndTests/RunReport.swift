/// What a run prints on stdout, read back: the images it processed and the per-rank table.
enum RunReport {
    /// "N images, X images/s": the images this run processed (resumed ones not included).
    static func processedImages(_ stdout: String) -> Int? {
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasSuffix(" images/s") }) else { return nil }
        return Int(line.split(separator: " ").first ?? "")
    }

    /// The per-rank lines of the timing table: rank, images and the peak MB column.
    static func rankTable(_ stdout: String) -> [(rank: Int, images: Int, peakMB: Double)] {
        var lines = stdout.split(separator: "\n").drop { !$0.hasPrefix("rank ") }.dropFirst()
        var ranks: [(Int, Int, Double)] = []
        while let line = lines.first, !line.hasPrefix("wall") {
            let fields = line.split(separator: " ")
            if fields.count >= 8, let rank = Int(fields[0]), let images = Int(fields[2]), let peak = Double(fields.last!) {
                ranks.append((rank, images, peak))
            }
            lines = lines.dropFirst()
        }
        return ranks
    }
}
