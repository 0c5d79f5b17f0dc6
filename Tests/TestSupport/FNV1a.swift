/// FNV-1a, 64 bits: a content hash to compare files by, not a secure one.
public enum FNV1a {
    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf29ce484222325) { ($0 ^ UInt64($1)) &* 0x100000001b3 }
    }
}
