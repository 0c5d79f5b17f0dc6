import Foundation

/// results.csv read back for assertions (RFC 4180, fields by header name).
public struct ResultsFile {
    public var rows: [[String: String]]
    public var bytes: Data

    public init(_ url: URL) throws {
        bytes = try Data(contentsOf: url)
        let records = ResultsFile.parse(String(decoding: bytes, as: UTF8.self))
        let header = records.first ?? []
        rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    public static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\n" { record.append(field); records.append(record); record = []; field = "" }
            else { field.append(c) }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}
