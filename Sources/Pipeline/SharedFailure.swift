/// A failure every rank knows about (all ranks exit with it, with `status`).
struct SharedFailure: Error {
    var message: String
    var status: Int32 = 1
}
