/// A model file that cannot be loaded: one line naming the file's problem.
public struct ModelError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
