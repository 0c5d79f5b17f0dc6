import Foundation

/// Where the time went: each rank's own work, and the whole job's phases on rank 0.
/// Printed as a short table and written to `<output>/timing.json`.
public struct TimingReport: Codable {
    public struct Rank: Codable {
        public var rank: Int
        public var host: String
        public var images: Int
        public var decodeSeconds: Double
        public var inferSeconds: Double
        public var roundSeconds: Double
        public var busySeconds: Double
        public var peakMemoryBytes: Double
    }

    public var ranks: [Rank] = []
    public var wallSeconds = 0.0
    public var mpiInitSeconds = 0.0
    public var listSeconds = 0.0
    public var modelLoadSeconds = 0.0
    public var broadcastSeconds = 0.0
    public var gatherSeconds = 0.0
    public var writeSeconds = 0.0
    public var images = 0
    public var imagesPerSecond: Double { wallSeconds > 0 ? Double(images) / wallSeconds : 0 }

    /// One rank's numbers as the fixed-size record that travels in MPI_Gatherv.
    static func record(images: Int, decode: Double, infer: Double, rounds: Double, busy: Double, peakMemory: Double) -> [Double] {
        [Double(images), decode, infer, rounds, busy, peakMemory]
    }

    /// Every rank's record (in rank order) and host; `images` is their total.
    mutating func addRanks(_ records: [[Double]], hosts: [String]) {
        ranks = records.enumerated().map { r, v in
            Rank(rank: r, host: r < hosts.count ? hosts[r] : "?", images: Int(v[0]), decodeSeconds: v[1],
                 inferSeconds: v[2], roundSeconds: v[3], busySeconds: v[4], peakMemoryBytes: v[5])
        }
        images = records.reduce(0) { $0 + Int($1[0]) }
    }

    public var table: String {
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + padding : padding + text
        }
        let hostWidth = max(4, ranks.map(\.host.count).max() ?? 0)
        var lines = ["rank  " + pad("host", hostWidth, left: true) + "  images  decode+prep s  inference s  rounds s  busy s  peak MB"]
        for r in ranks {
            lines.append(pad("\(r.rank)", 4) + "  " + pad(r.host, hostWidth, left: true) + "  " + pad("\(r.images)", 6) + "  "
                         + pad(f(r.decodeSeconds), 13) + "  " + pad(f(r.inferSeconds), 11) + "  " + pad(f(r.roundSeconds), 8) + "  "
                         + pad(f(r.busySeconds), 6) + "  " + pad(String(format: "%.0f", r.peakMemoryBytes / 1e6), 7))
        }
        lines.append("wall \(f(wallSeconds)) s (MPI init \(f(mpiInitSeconds)), list \(f(listSeconds)), model load \(f(modelLoadSeconds)), broadcast \(f(broadcastSeconds)), gather \(f(gatherSeconds)), write \(f(writeSeconds)))")
        lines.append(String(format: "%d images, %.1f images/s", images, imagesPerSecond))
        return lines.joined(separator: "\n")
    }

    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var object = (try? JSONSerialization.jsonObject(with: encoder.encode(self))) as? [String: Any] ?? [:]
        object["imagesPerSecond"] = imagesPerSecond
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }
}
