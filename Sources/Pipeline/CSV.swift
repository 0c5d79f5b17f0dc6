/// RFC 4180 CSV on bytes: quoting for the results file and a reader for manifests and
/// for resuming. Fields are bytes, so paths that are not UTF-8 survive a round trip.
public enum CSV {
    /// One field, quoted when it holds a comma, a quote, CR or LF (quotes doubled).
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }
}

/// Reads CSV records (or plain lines) one at a time from a byte stream, tracking the byte
/// offset where each record starts so a reader can later seek straight back to it.
struct RecordReader {
    private var reader: ByteReader
    let quoted: Bool   // true: RFC 4180 records; false: plain lines

    init(reader: ByteReader, quoted: Bool) {
        self.reader = reader; self.quoted = quoted
    }

    var offset: Int { reader.offset }

    /// The next record's fields (one field for plain lines), or nil at the end.
    mutating func next() throws -> [[UInt8]]? {
        guard var byte = try reader.next() else { return nil }
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        if !quoted {
            while byte != UInt8(ascii: "\n") {
                field.append(byte)
                guard let b = try reader.next() else { break }
                byte = b
            }
            if field.last == UInt8(ascii: "\r") { field.removeLast() }
            return [field]
        }
        var inQuotes = false
        while true {
            let following = try reader.peek()
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if following == UInt8(ascii: "\"") { _ = try reader.next(); field.append(byte) } else { inQuotes = false }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty {
                inQuotes = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(field); field = []
            } else if byte == UInt8(ascii: "\n") {
                break
            } else if byte == UInt8(ascii: "\r") && following == UInt8(ascii: "\n") {
                // CRLF line ending: the LF ends the record next.
            } else {
                field.append(byte)
            }
            guard let b = try reader.next() else { break }
            byte = b
        }
        fields.append(field)
        return fields
    }
}
