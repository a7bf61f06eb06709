/// Text for a terminal that cannot act on it: library messages, peer output and fixture names may hold escape
/// sequences, which would recolour, move the cursor or retitle the user's terminal. Control characters other
/// than newline and tab are shown as `\u{1B}`-style escapes instead.
enum TerminalText {
    static func printable(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x0A || value == 0x09 || (value >= 0x20 && value < 0x7F) || value > 0x9F {
                result.unicodeScalars.append(scalar)
            } else {
                result += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }
}
