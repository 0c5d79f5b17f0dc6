import Engine
import Foundation

/// The one byte buffer rank 0 broadcasts: the architecture as JSON and the weights as
/// raw little-endian float32, so a rank can build the network without the file.
///
///   "DOGCATM1"  magic (8 bytes)
///   UInt64      JSON byte count
///   JSON        the Graph (Codable)
///   padding     to a multiple of 4 bytes
///   UInt64      weight count
///   Float32[]   the weights
public enum ModelBuffer {
    static let magic = Array("DOGCATM1".utf8)

    public static func encode(_ model: Model) -> [UInt8] {
        let json = try! JSONEncoder().encode(model.graph)   // a Graph always encodes
        var bytes = magic
        bytes.reserveCapacity(8 + 8 + json.count + 3 + 8 + model.weights.count * 4)
        append(UInt64(json.count), to: &bytes)
        bytes += json
        while bytes.count % 4 != 0 { bytes.append(0) }
        append(UInt64(model.weights.count), to: &bytes)
        model.weights.withUnsafeBytes { bytes += $0 }
        return bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Model {
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
            throw ModelError("model buffer: bad magic (not produced by this version of dogcat-mpi)")
        }
        var offset = 8
        let jsonCount = Int(read(bytes, at: offset)); offset += 8
        guard jsonCount >= 0, offset + jsonCount + 8 <= bytes.count else { throw ModelError("model buffer: truncated") }
        let graph: Graph
        do {
            graph = try JSONDecoder().decode(Graph.self, from: Data(bytes[offset..<(offset + jsonCount)]))
        } catch {
            throw ModelError("model buffer: unreadable architecture (\(error))")
        }
        offset += jsonCount
        offset = (offset + 3) / 4 * 4
        let weightCount = Int(read(bytes, at: offset)); offset += 8
        guard weightCount >= 0, offset + weightCount * 4 == bytes.count else { throw ModelError("model buffer: weight data has the wrong size") }
        var weights = [Float](repeating: 0, count: weightCount)
        weights.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + weightCount * 4)]))
            }
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
