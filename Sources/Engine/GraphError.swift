/// A model the engine cannot run, with the node it is about.
public struct GraphError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public init(node: Node, _ problem: String) {
        message = "layer '\(node.name)' (\(node.sourceClass)): \(problem)"
    }
    public var description: String { message }
}
