/// Text from fixtures, libraries or peers made inert in Markdown: CI pages render inline HTML and links from a
/// summary, so `<`, `>` and `&` become entities, Markdown's own markup characters are escaped, and line breaks and
/// `|` (which would end a table cell) cannot reshape the document.
enum MarkdownText {
    static func inline(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\\", "`", "*", "[", "]", "|", "#": result += "\\" + String(character)
            case "\n", "\r", "\t": result += " "
            default: result.append(character)
            }
        }
        return result
    }

    /// A code span that holds `text` as written: fenced by more backticks than any run inside it.
    static func code(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        var longest = 0
        var run = 0
        for character in flat {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padding = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + padding + flat + padding + fence
    }
}
