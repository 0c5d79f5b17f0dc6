import Engine
import FileSystem
import Foundation

/// Opens any supported model file, choosing the reader by the file's content, not its name:
/// the HDF5 signature means a Keras .h5 file; a zip archive, a Keras 3 .keras file; a
/// protobuf that parses as an ONNX ModelProto with graph nodes means ONNX.
public enum ModelLoader {
    public static func load(path: String) throws(ModelError) -> Model {
        let head = try firstBytes(of: path, count: 8)
        if head.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return try KerasH5Reader.read(path: path)
        }
        if head.starts(with: ZipArchive.signature) {
            return try KerasArchiveReader.read(path: path)
        }
        if head.isEmpty { throw ModelError("\(path): empty file, not a model") }
        if let onnx = try ONNXReader.modelProto(path: path) {
            return try ONNXReader.read(onnx, path: path)
        }
        throw ModelError("\(path): not a model file this version reads (expected a Keras .h5 or .keras file or an ONNX file)")
    }

    static func contents(of path: String) throws(ModelError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ModelError("\(path): cannot read model file: \(error.localizedDescription)")
        }
    }

    static func firstBytes(of path: String, count: Int) throws(ModelError) -> [UInt8] {
        let file: FileDescriptor
        do throws(Errno) { file = try RawPath(path).open(.readOnly) } catch {
            throw ModelError("\(path): cannot open model file: \(error)")
        }
        defer { try? file.close() }
        if (try? file.stat())?.type == .directory { throw ModelError("\(path): is a directory, not a model file") }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { raw in try? file.read(into: raw) }
        return Array(bytes.prefix(max(read ?? 0, 0)))
    }
}
