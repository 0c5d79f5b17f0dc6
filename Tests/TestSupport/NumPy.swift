import Foundation

/// Reads a little-endian float32 `.npy` file: magic, a header dict with 'shape', raw data in C order.
public func readNPY(_ url: URL) throws -> (shape: [Int], values: [Float]) {
    let data = try Data(contentsOf: url)
    let bytes = [UInt8](data)
    guard bytes.count > 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
        throw NSError(domain: "npy", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(url.path): not a .npy file"])
    }
    let major = bytes[6]
    let headerLength = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
                                  : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
    let headerStart = major == 1 ? 10 : 12
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    guard header.contains("'<f4'") else { throw NSError(domain: "npy", code: 2, userInfo: [NSLocalizedDescriptionKey: "\(url.path): not float32"]) }
    let shapeText = header.components(separatedBy: "'shape': (")[1].components(separatedBy: ")")[0]
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let start = headerStart + headerLength
    let count = shape.reduce(1, *)
    let values = bytes.withUnsafeBytes { raw in
        (0..<count).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self)) }
    }
    return (shape, values)
}
