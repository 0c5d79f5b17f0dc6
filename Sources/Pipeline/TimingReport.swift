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
    static func record(images: Int, decode: Double, infer: Double, rounds: Double, busy: Double) -> [Double] {
        [Double(images), decode, infer, rounds, busy]
    }

    mutating func addRanks(_ records: [[Double]], hosts: [String]) {
        ranks = records.enumerated().map { r, v in
            Rank(rank: r, host: r < hosts.count ? hosts[r] : "?", images: Int(v[0]), decodeSeconds: v[1],
                 inferSeconds: v[2], roundSeconds: v[3], busySeconds: v[4])
        }
    }

    public var table: String {
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        var lines = ["rank  host              images  decode+prep s  inference s  rounds s  busy s"]
        for r in ranks {
            lines.append(String(format: "%4d  %-16@  %6d  %13@  %11@  %8@  %6@", r.rank, r.host as NSString, r.images,
                                f(r.decodeSeconds) as NSString, f(r.inferSeconds) as NSString,
                                f(r.roundSeconds) as NSString, f(r.busySeconds) as NSString))
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
