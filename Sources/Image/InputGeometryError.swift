/// A model whose input is not an image the preprocessor can make: one line for the user.
public struct InputGeometryError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
