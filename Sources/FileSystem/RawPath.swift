/// A file path as the bytes the file system uses. Linux paths need not be UTF-8, and a
/// Swift String would silently repair them, so paths travel as bytes from the listing to
/// `open` and to the results file (where `displayText` escapes what is not UTF-8).
public struct RawPath: Hashable, Sendable, Comparable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { bytes = Array(text.utf8) }

    /// Byte-wise order: the same on every rank and every locale.
    public static func < (a: RawPath, b: RawPath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// The path as a NUL-terminated C string, for the time of `body`.
    public func withCString<R, E: Error>(_ body: (UnsafePointer<CChar>) throws(E) -> R) throws(E) -> R {
        var terminated = bytes.map { CChar(bitPattern: $0) }
        terminated.append(0)
        let result: Result<R, E> = terminated.withUnsafeBufferPointer { buffer in
            do throws(E) { return .success(try body(buffer.baseAddress!)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    public func appending(_ component: RawPath) -> RawPath {
        if bytes.isEmpty || component.bytes.first == UInt8(ascii: "/") { return component }
        return RawPath(bytes: bytes.last == UInt8(ascii: "/") ? bytes + component.bytes : bytes + [UInt8(ascii: "/")] + component.bytes)
    }

    public var isAbsolute: Bool { bytes.first == UInt8(ascii: "/") }

    /// The last path component.
    public var lastComponent: RawPath {
        var trimmed = bytes[...]
        while trimmed.count > 1 && trimmed.last == UInt8(ascii: "/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) { return RawPath(bytes: Array(trimmed[(slash + 1)...])) }
        return RawPath(bytes: Array(trimmed))
    }

    /// The folder part ("." when there is none).
    public var parent: RawPath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return RawPath(".") }
        return slash == 0 ? RawPath("/") : RawPath(bytes: Array(bytes[..<slash]))
    }

    /// The path as text: valid UTF-8 unchanged except `\` written `\\`; every byte that is
    /// not part of valid UTF-8 written `\xHH`. Reversible with `init(displayText:)`.
    public var displayText: String {
        var text = ""
        var i = 0
        while i < bytes.count {
            let length = RawPath.utf8SequenceLength(bytes, at: i)
            if length == 0 {
                text += "\\x" + String(bytes[i], radix: 16, uppercase: true).leftPadded(to: 2)
                i += 1
            } else {
                let scalar = String(decoding: bytes[i..<(i + length)], as: UTF8.self)
                text += scalar == "\\" ? "\\\\" : scalar
                i += length
            }
        }
        return text
    }

    /// Reverses `displayText`.
    public init(displayText: String) {
        var out: [UInt8] = []
        let utf8 = Array(displayText.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 1 < utf8.count {
                if utf8[i + 1] == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")); i += 2; continue }
                if utf8[i + 1] == UInt8(ascii: "x"), i + 3 < utf8.count,
                   let byte = UInt8(String(decoding: utf8[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                    out.append(byte); i += 4; continue
                }
            }
            out.append(utf8[i]); i += 1
        }
        bytes = out
    }

    /// Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte does not start one.
    public static func utf8SequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let first = b[i]
        if first < 0x80 { return 1 }
        let length: Int
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard i + length <= b.count else { return 0 }
        for k in 1..<length where b[i + k] & 0xC0 != 0x80 { return 0 }
        // Reject overlong forms, surrogates and values past U+10FFFF.
        if first == 0xE0 && b[i + 1] < 0xA0 { return 0 }
        if first == 0xED && b[i + 1] >= 0xA0 { return 0 }
        if first == 0xF0 && b[i + 1] < 0x90 { return 0 }
        if first == 0xF4 && b[i + 1] >= 0x90 { return 0 }
        return length
    }
}

extension String {
    /// Zero-padded on the left to `width` characters (for `\\xHH`).
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
