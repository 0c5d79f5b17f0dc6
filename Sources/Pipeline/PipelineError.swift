/// A problem that stops the whole run (bad arguments, unreadable input list, unwritable
/// output): one line for the user, and the exit status. Problems with single photos are result
/// rows instead.
public struct PipelineError: Error, CustomStringConvertible {
    public var message: String
    public var status: Int32
    public init(_ message: String, status: Int32 = 1) { (self.message, self.status) = (message, status) }
    public var description: String { message }
}
