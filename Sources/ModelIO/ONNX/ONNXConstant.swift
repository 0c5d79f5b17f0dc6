import Foundation

/// A constant tensor of an ONNX graph (an initializer or a Constant node): its dims and its
/// values as floats. Integer tensors (Reshape shapes, Pad counts, Squeeze axes) also keep
/// their exact values. Data comes from raw_data (little-endian) or the typed repeated field.
struct ONNXConstant {
    var name: String
    var dims: [Int]
    var floats: [Float]
    /// The exact values of an integer tensor; nil for floating-point ones.
    var exactIntegers: [Int]?

    var count: Int { floats.count }

    init(name: String, dims: [Int], floats: [Float], exactIntegers: [Int]? = nil) {
        self.name = name; self.dims = dims; self.floats = floats; self.exactIntegers = exactIntegers
    }

    init(_ tensor: Onnx_TensorProto) throws(ModelError) {
        name = tensor.name
        dims = tensor.dims.map { Int($0) }
        let what = "tensor '\(tensor.name)'"
        if tensor.dataLocation == .external {
            throw ModelError("\(what): its data is in an external file; unsupported (save the model as one file)")
        }
        guard dims.allSatisfy({ $0 >= 0 }) else { throw ModelError("\(what): negative dims \(dims)") }
        let count = dims.reduce(1, *)
        let raw = tensor.hasRawData ? [UInt8](tensor.rawData) : nil
        switch Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) {
        case .float?:
            if let raw { floats = try Self.decode(raw, width: 4, count: count, what: what) { Float(bitPattern: UInt32($0)) } }
            else { floats = tensor.floatData }
        case .double?:
            if let raw { floats = try Self.decode(raw, width: 8, count: count, what: what) { Float(Double(bitPattern: $0)) } }
            else { floats = tensor.doubleData.map { Float($0) } }
        case .int64?:
            let values = if let raw { try Self.decode(raw, width: 8, count: count, what: what) { Int(Int64(bitPattern: $0)) } }
                         else { tensor.int64Data.map { Int($0) } }
            exactIntegers = values
            floats = values.map { Float($0) }
        case .int32?:
            let values = if let raw { try Self.decode(raw, width: 4, count: count, what: what) { Int(Int32(truncatingIfNeeded: $0)) } }
                         else { tensor.int32Data.map { Int($0) } }
            exactIntegers = values
            floats = values.map { Float($0) }
        default:
            throw ModelError("\(what): unsupported data type \(tensor.dataType) (float, double, int32 and int64 are read)")
        }
        guard floats.count == count else {
            throw ModelError("\(what): \(floats.count) values for dims \(dims)")
        }
    }

    /// `count` little-endian values of `width` bytes each, converted from the UInt64 of their bits.
    private static func decode<T>(_ bytes: [UInt8], width: Int, count: Int, what: String,
                                  _ convert: (UInt64) -> T) throws(ModelError) -> [T] {
        guard bytes.count == width * count else {
            throw ModelError("\(what): raw_data has \(bytes.count) bytes for \(count) values")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { i in
                let bits = width == 4 ? UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                                      : UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                return convert(bits)
            }
        }
    }

    /// The values as integers (a Reshape shape, Pad counts, axes); `node` names the reader in errors.
    func integers(for node: ONNXNode) throws(ModelError) -> [Int] {
        guard let exactIntegers else { throw node.error("expects an integer tensor, '\(name)' holds floats") }
        return exactIntegers
    }

    /// The single value of a scalar (or one-element) tensor.
    func scalar(for node: ONNXNode) throws(ModelError) -> Float {
        guard count == 1 else { throw node.error("expects one value in '\(name)', which has dims \(dims)") }
        return floats[0]
    }
}
