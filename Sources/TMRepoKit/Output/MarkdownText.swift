import ThreatModel

/// Puts text from model files and git history into Markdown output as text, never as markup:
/// no raw HTML, no link or image, no emphasis or table cell break a threat's author did not get
/// from tmrepo itself. Control characters are escaped as on a terminal.
public enum MarkdownText {
    /// One line of inline text (a title, an owner, an id, a table cell).
    public static func inline(_ text: String) -> String {
        var out = ""
        for character in TextEscaping.field(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~", "!", "#", "(", ")", "{", "}", "$": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// An inline code span that holds `text` exactly, whatever backticks it contains.
    public static func code(_ text: String) -> String {
        let text = TextEscaping.field(text)
        let fence = String(repeating: "`", count: longestRun(of: "`", in: text) + 1)
        return fence + " " + text + " " + fence
    }

    /// A block of user text (a threat's body) shown verbatim inside a fenced block whose fence is
    /// longer than any backtick run in it, so nothing inside can end the block, render HTML or
    /// form a link (`javascript:` and `data:` links stay inert text).
    public static func fenced(_ text: String) -> String {
        let text = TextEscaping.multiline(text)
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: text) + 1))
        return fence + "text\n" + text + "\n" + fence
    }

    static func longestRun(of mark: Character, in text: String) -> Int {
        var longest = 0, current = 0
        for character in text {
            current = character == mark ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
