/// A trivial type whose stride (16) is more than its size (12): the wrappers must move
/// whole strides, in both directions.
struct PaddedRecord: Equatable, BitwiseCopyable {
    var value: Double
    var index: Int32

    init(index: Int) {
        value = Double(index) * 0.5 - 3
        self.index = Int32(index)
    }
}
