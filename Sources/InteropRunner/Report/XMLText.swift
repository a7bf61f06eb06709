/// Makes arbitrary text safe for XML 1.0, whatever bytes a library or peer produced.
///
/// Characters outside XML 1.0's `Char` production cannot appear even as numeric references, so they become a
/// visible `\u{…}` escape; the rest is escaped for text or attribute context.
public enum XMLText {
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// Text content: `& < >` escaped, forbidden characters made visible.
    public static func content(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: append(scalar, to: &out)
            }
        }
        return out
    }

    /// Attribute values in double quotes: also `"`, and newline, CR and tab as references so parsers keep them.
    public static func attribute(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: append(scalar, to: &out)
            }
        }
        return out
    }

    /// Decodes captured bytes as UTF-8, replacing invalid sequences with U+FFFD.
    public static func decode(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Keeps the head and tail of a very long text, with a note of what was cut.
    public static func truncated(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let half = limit / 2
        let head = String(decoding: text.utf8.prefix(half), as: UTF8.self)
        let tail = String(decoding: text.utf8.suffix(half), as: UTF8.self)
        return head + "\n… [\(text.utf8.count - 2 * half) bytes truncated] …\n" + tail
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        if isAllowed(scalar) {
            out.unicodeScalars.append(scalar)
        } else {
            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
}
