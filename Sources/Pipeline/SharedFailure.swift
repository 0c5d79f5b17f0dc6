/// A failure every rank knows about (all ranks exit with it).
struct SharedFailure: Error {
    var message: String
}
