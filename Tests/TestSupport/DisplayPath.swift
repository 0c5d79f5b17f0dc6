/// A path as results.csv shows it, back to its bytes: `\xHH` is a byte, `\\` a backslash.
///
/// This repeats `RawPath(displayText:)` on purpose: the end-to-end tests read the program's
/// output as a user would, with a decoder of the documented format written apart from the
/// product's, so a mistake made the same way in the product's encoder and decoder cannot
/// pass unseen; and TestSupport, which every test target links, stays free of product modules.
public enum DisplayPath {
    public static func bytes(_ text: String) -> [UInt8] {
        let u = Array(text.utf8)
        var out: [UInt8] = [], i = 0
        while i < u.count {
            if u[i] == 0x5C, i + 1 < u.count {
                if u[i + 1] == 0x5C { out.append(0x5C); i += 2; continue }
                if u[i + 1] == 0x78, i + 3 < u.count, let byte = UInt8(String(decoding: u[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                    out.append(byte); i += 4; continue
                }
            }
            out.append(u[i]); i += 1
        }
        return out
    }
}
