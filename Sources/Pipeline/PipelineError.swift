/// A problem that stops the whole run (bad arguments, unreadable input list, unwritable
/// output): one line for the user. Problems with single photos are result rows instead.
public struct PipelineError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
