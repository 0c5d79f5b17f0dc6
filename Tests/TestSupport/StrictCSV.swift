/// RFC 4180 exactly as the program writes it (LF line ends; a field quoted as a whole or not
/// at all), over bytes, so a partly written or malformed file is told apart from a good one.
/// ResultsFile is the lenient reader for files known to be complete.
public enum StrictCSV {
    /// The records, each a list of fields' bytes; nil for anything else, e.g. a partly written last row.
    public static func records(_ bytes: [UInt8]) -> [[[UInt8]]]? {
        var records: [[[UInt8]]] = [], record: [[UInt8]] = [], field: [UInt8] = []
        var inQuotes = false, closed = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if inQuotes {
                if b != 0x22 { field.append(b); continue }
                if i < bytes.count && bytes[i] == 0x22 { field.append(0x22); i += 1; continue }
                inQuotes = false
                closed = true
                continue
            }
            switch b {
            case 0x22:
                if closed || !field.isEmpty { return nil }
                inQuotes = true
            case 0x2C:
                record.append(field); field = []; closed = false
            case 0x0A:
                record.append(field); records.append(record); record = []; field = []; closed = false
            default:
                if closed { return nil }
                field.append(b)
            }
        }
        return inQuotes || closed || !field.isEmpty || !record.isEmpty ? nil : records
    }

    /// A record's fields as text.
    public static func strings(_ record: [[UInt8]]) -> [String] { record.map { String(decoding: $0, as: UTF8.self) } }

    /// A field as the program quotes it (quoted when it holds , " CR or LF).
    public static func field(_ field: [UInt8]) -> [UInt8] {
        guard field.contains(where: { [0x2C, 0x22, 0x0A, 0x0D].contains($0) }) else { return field }
        return [0x22] + field.flatMap { $0 == 0x22 ? [0x22, 0x22] : [$0] } + [0x22]
    }
}
