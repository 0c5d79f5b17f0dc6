import Engine
import Foundation

/// The model as rank 0 broadcasts it, so a rank can build the network without the file:
/// a self-describing header, then the weights as raw float32 (native byte order: the ranks
/// of a job share one architecture).
///
///   "DOGCATM1"  magic (8 bytes)
///   UInt64      JSON byte count
///   JSON        the Graph (Codable)
///   UInt64      weight count
///   Float32[]   the weights (sent on their own, see below)
///
/// The header and the weights travel as two messages: the weights go straight from rank 0's
/// weight array into the receiving rank's, with no 15 MB buffer in between (a fresh 15 MB
/// costs ~9 ms of page faults on this machine, on the path every rank waits on).
public enum ModelBuffer {
    static let magic = Array("DOGCATM1".utf8)

    /// Everything but the weights.
    public static func header(of model: Model) -> [UInt8] {
        let json = try! JSONEncoder().encode(model.graph)   // a Graph always encodes
        var bytes = magic
        append(UInt64(json.count), to: &bytes)
        bytes += json
        append(UInt64(model.weights.count), to: &bytes)
        return bytes
    }

    /// The model from a header and the weights that came with it.
    public static func decode(header bytes: [UInt8], weights: [Float]) throws(ModelError) -> Model {
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
            throw ModelError("model buffer: bad magic (not produced by this version of dogcat-mpi)")
        }
        let jsonCount = Int(clamping: read(bytes, at: 8))
        guard jsonCount <= bytes.count - 24 else { throw ModelError("model buffer: truncated") }
        let graph: Graph
        do {
            graph = try JSONDecoder().decode(Graph.self, from: Data(bytes[16..<(16 + jsonCount)]))
        } catch {
            throw ModelError("model buffer: unreadable architecture (\(error))")
        }
        guard bytes.count == 16 + jsonCount + 8, read(bytes, at: 16 + jsonCount) == UInt64(weights.count) else {
            throw ModelError("model buffer: weight data has the wrong size")
        }
        return Model(graph: graph, weights: weights)
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        return value
    }
}
