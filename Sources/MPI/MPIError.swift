import CMPI

/// A failed MPI call: the function and MPI's own error string.
public struct MPIError: Error, CustomStringConvertible {
    public var function: String
    public var code: Int32
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(dc_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        return "\(function) failed: \(String(cString: text))"
    }
}

/// Turns an MPI return code into a thrown `MPIError`.
@inline(__always)
func check(_ code: Int32, _ function: String) throws {
    if code != dc_mpi_success() { throw MPIError(function: function, code: code) }
}
