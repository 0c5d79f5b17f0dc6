/// The bit stream of a JPEG scan: most significant bit first, 0xFF followed by a stuffed 0.
struct JPEGBitWriter {
    var bytes: [UInt8] = []
    private var accumulator = 0, count = 0

    mutating func put(_ value: Int, _ length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) {
            accumulator = accumulator << 1 | (value >> i) & 1
            count += 1
            if count == 8 {
                bytes.append(UInt8(accumulator))
                if accumulator == 0xFF { bytes.append(0) }   // byte stuffing
                accumulator = 0; count = 0
            }
        }
    }

    /// Pads the last byte with 1 bits, as the standard asks.
    mutating func flush() { if count > 0 { put((1 << (8 - count)) - 1, 8 - count) } }
}
