import CMPI

/// A failed MPI call: the function, MPI's own error string, and what a user can do about it
/// where that is known.
public struct MPIError: Error, CustomStringConvertible {
    public var function: String
    public var code: Int32
    public var hint: String? = nil
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(dc_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        return "\(function) failed: \(String(cString: text))" + (hint.map { " (\($0))" } ?? "")
    }
}

/// Turns an MPI return code into a thrown `MPIError`.
@inline(__always)
func check(_ code: Int32, _ function: String, hint: String? = nil) throws {
    if code != dc_mpi_success() { throw MPIError(function: function, code: code, hint: hint) }
}
