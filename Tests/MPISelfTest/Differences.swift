/// What differs between `actual` and the `count` values `expected(i)` names: the count, or
/// the first three differing elements and how many differ. Empty when they agree. The
/// expected values are computed, not stored, so a 1 GiB array is not held twice.
func differences<T: Equatable>(_ what: String, _ actual: [T], count: Int, expected: (Int) -> T) -> [String] {
    guard actual.count == count else { return ["\(what): \(actual.count) elements, expected \(count)"] }
    var found: [String] = [], differing = 0
    for i in 0..<count where actual[i] != expected(i) {
        differing += 1
        if found.count < 3 { found.append("\(what)[\(i)] is \(actual[i]), expected \(expected(i))") }
    }
    if differing > found.count { found.append("\(what): \(differing) of \(count) elements differ") }
    return found
}

/// The same for an expected array.
func differences<T: Equatable>(_ what: String, _ actual: [T], _ expected: [T]) -> [String] {
    differences(what, actual, count: expected.count) { expected[$0] }
}
