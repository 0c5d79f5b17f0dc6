/// What ResultsWriter does with results an earlier run left in --output.
enum ResultsStart {
    /// No earlier results allowed: an output that holds some is refused, nothing changed.
    case fresh
    /// --resume: keep the rows the index vouches for, do the rest (none there: start fresh).
    case resume
    /// --overwrite: start over, whatever is there.
    case overwrite
}
