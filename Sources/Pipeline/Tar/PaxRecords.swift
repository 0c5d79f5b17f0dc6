/// The records of a pax extended header (POSIX.1-2001, typeflag `x` for the next member,
/// `g` for all that follow): `"%d %s=%s\n"`, the length counting the whole record.
/// Only what locating a member needs is kept: `path`, `size`, and whether GNU's sparse
/// keys are present (sparse members are not supported).
struct PaxRecords: Equatable {
    var path: [UInt8]?
    var size: Int64?
    var isSparse = false

    struct ParseError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    init() {}

    init(_ data: [UInt8]) throws(ParseError) {
        var i = 0
        while i < data.count {
            // A header padded with NULs ends at the first NUL.
            if data[i] == 0 { break }
            var length = 0, j = i
            while j < data.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[j]), length < 1 << 30 {
                length = length * 10 + Int(data[j] - UInt8(ascii: "0"))
                j += 1
            }
            guard j > i, j < data.count, data[j] == UInt8(ascii: " "), length > j - i + 1, i + length <= data.count,
                  data[i + length - 1] == UInt8(ascii: "\n") else {
                throw ParseError(description: "pax record at byte \(i) is malformed")
            }
            let record = data[(j + 1)..<(i + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw ParseError(description: "pax record at byte \(i) has no '='")
            }
            let key = String(decoding: record[..<equals], as: UTF8.self)
            let value = Array(record[(equals + 1)...])
            switch key {
            case "path": path = value
            case "size":
                guard let n = Int64(String(decoding: value, as: UTF8.self)), n >= 0 else {
                    throw ParseError(description: "pax size '\(String(decoding: value, as: UTF8.self))' is not a size")
                }
                size = n
            default:
                if key.hasPrefix("GNU.sparse.") { isSparse = true }
            }
            i += length
        }
    }

    /// These records, with `newer`'s values where it has them (a member's own header over the global one).
    func overridden(by newer: PaxRecords) -> PaxRecords {
        var merged = self
        if let path = newer.path { merged.path = path }
        if let size = newer.size { merged.size = size }
        merged.isSparse = isSparse || newer.isSparse
        return merged
    }
}
