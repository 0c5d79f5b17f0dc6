import Foundation

/// One ONNX NodeProto with typed attribute access. Every error it makes names the node and
/// its op type, e.g. `node 'conv1' (Conv): unsupported group=3`.
struct ONNXNode {
    let proto: Onnx_NodeProto
    /// Its position in GraphProto.node (names nodes that have no name).
    let index: Int

    var name: String { proto.name.isEmpty ? "\(proto.opType)#\(index)" : proto.name }
    var opType: String { proto.opType }
    var label: String { "node '\(name)' (\(opType))" }
    /// The first output: every operation the reader supports has one that matters.
    var output: String { proto.output.first ?? "" }

    /// The input at `position`, or nil where it is absent or "" (ONNX's mark for an omitted optional input).
    func input(_ position: Int) -> String? {
        position < proto.input.count && !proto.input[position].isEmpty ? proto.input[position] : nil
    }

    /// The input at `position`, which the operation requires.
    func requiredInput(_ position: Int) throws(ModelError) -> String {
        guard let name = input(position) else { throw error("input \(position) is missing") }
        return name
    }

    func error(_ problem: String) -> ModelError { ModelError("\(label): \(problem)") }
    func unsupported(_ setting: String) -> ModelError { ModelError("\(label): unsupported \(setting)") }

    /// Refuses attributes the conversion does not interpret: they could change the result.
    func allowAttributes(_ known: Set<String>) throws(ModelError) {
        for attribute in proto.attribute where !known.contains(attribute.name) {
            throw unsupported("attribute \(attribute.name)")
        }
    }

    func attribute(_ name: String) -> Onnx_AttributeProto? { proto.attribute.first { $0.name == name } }

    func int(_ name: String, default value: Int) throws(ModelError) -> Int {
        guard let a = attribute(name) else { return value }
        guard a.type == .int || (a.type == .undefined && a.hasI) else { throw error("attribute \(name) is not an integer") }
        return Int(a.i)
    }

    func ints(_ name: String) throws(ModelError) -> [Int]? {
        guard let a = attribute(name) else { return nil }
        guard a.type == .ints || a.type == .undefined else { throw error("attribute \(name) is not a list of integers") }
        return a.ints.map { Int($0) }
    }

    func float(_ name: String, default value: Float) throws(ModelError) -> Float {
        guard let a = attribute(name) else { return value }
        guard a.type == .float || (a.type == .undefined && a.hasF) else { throw error("attribute \(name) is not a float") }
        return a.f
    }

    func string(_ name: String, default value: String) throws(ModelError) -> String {
        guard let a = attribute(name) else { return value }
        guard a.type == .string || (a.type == .undefined && a.hasS) else { throw error("attribute \(name) is not a string") }
        return String(decoding: a.s, as: UTF8.self)
    }

}
