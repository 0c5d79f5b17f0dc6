import Engine
import Foundation
import SwiftProtobuf

/// Reads an ONNX model file (a serialized ModelProto, e.g. written by tf2onnx from a Keras
/// model) into the engine's graph: the same operations and Keras weight layouts the Keras
/// reader produces, with layout (NCHW in ONNX, NHWC in the engine) settled once at load.
///
/// Contract: one image input ([N, H, W, C] as tf2onnx writes it, or [N, C, H, W]), one
/// output, float weights stored in the file. Anything the engine cannot compute exactly is
/// a `ModelError` naming the file, the node, its op type and the setting.
public enum ONNXReader {
    public static func read(path: String) throws(ModelError) -> Model {
        let bytes = try ModelLoader.contents(of: path)
        do {
            return try read(Onnx_ModelProto(serializedBytes: bytes), path: path)
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError("\(path): not a readable ONNX model (\(error))")
        }
    }

    /// The model in `proto`; `path` names the file in errors.
    public static func read(_ proto: Onnx_ModelProto, path: String) throws(ModelError) -> Model {
        guard proto.hasGraph, !proto.graph.node.isEmpty else { throw ModelError("\(path): the ONNX model has no graph nodes") }
        // The default domain's opset: a few attribute defaults changed with it (e.g. Softmax's axis).
        let opset = proto.opsetImport.first { ["", "ai.onnx"].contains($0.domain) }.map { Int($0.version) } ?? 13
        var converter: ONNXGraphConverter
        let output: Int
        do {
            converter = try ONNXGraphConverter(graph: proto.graph, opset: opset)
            output = try converter.convert()
        } catch {
            throw ModelError("\(path): \(error.message)")
        }
        return try converter.builder.finish(path: path, output: output)
    }

    /// What ModelLoader asks of a file that is not HDF5: its ModelProto if it parses as one
    /// with graph nodes; nil if it is no ONNX model. A file that starts like one (field 1,
    /// ir_version) but does not parse is reported as a damaged ONNX file.
    static func modelProto(path: String) throws(ModelError) -> Onnx_ModelProto? {
        let bytes = try ModelLoader.contents(of: path)
        do {
            let proto = try Onnx_ModelProto(serializedBytes: bytes)
            return proto.hasGraph && !proto.graph.node.isEmpty ? proto : nil
        } catch {
            if bytes.first == 0x08 { throw ModelError("\(path): a damaged ONNX model (\(error))") }
            return nil
        }
    }
}
