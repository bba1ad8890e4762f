/// Makes text from model files, git history or imports safe to show on a terminal: control
/// characters (C0, DEL, C1 — so ESC, CSI and OSC sequences that recolor, move the cursor, set
/// the window title or forge hyperlinks), Unicode bidirectional overrides and line separators
/// are written out visibly as `\u{1B}`, never passed to the terminal.
public enum TextEscaping {
    /// A value shown on one line (a title, an owner, an id, a message): newlines and tabs are escaped too.
    public static func field(_ text: String) -> String {
        escape(text) { _ in false }
    }

    /// Text shown as several lines (a threat's body): newlines and tabs stay; CR LF becomes LF.
    public static func multiline(_ text: String) -> String {
        escape(text.replacingOccurrences(of: "\r\n", with: "\n")) { $0 == "\n" || $0 == "\t" }
    }

    /// The color codes tmrepo's own styling writes: bold, dim, red, green, yellow, reset.
    static let ownColorCodes: Set<String> = ["1", "2", "31", "32", "33", "0"]

    /// A whole rendered text output, as a last line of defence: keeps newlines, tabs, CR LF line
    /// ends (CSV) and, when `keepingColor` (tmrepo colors this output), its own few color codes;
    /// escapes everything else.
    public static func terminalOutput(_ text: String, keepingColor: Bool = false) -> String {
        // Printable ASCII, newlines and tabs (a whole plain report, usually) pass as they are.
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }) { return text }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if keepingColor, scalar == "\u{1B}", let end = colorSequenceEnd(scalars, from: index) {
                out.append(contentsOf: scalars[index...end])
                index = end + 1
                continue
            }
            let crlf = scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n"
            if needsEscape(scalar) && scalar != "\n" && scalar != "\t" && !crlf {
                out.append(contentsOf: visible(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
            index += 1
        }
        return String(out)
    }

    /// Whether a character must not reach a terminal as is.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F: true                  // C0 (ESC among them), DEL, C1 (CSI, OSC, NEL…)
        case 0x202A...0x202E, 0x2066...0x2069, 0x061C, 0x200E, 0x200F: true   // bidi embeddings, overrides, isolates, marks
        case 0x2028, 0x2029: true                          // line and paragraph separators
        default: false
        }
    }

    private static func escape(_ text: String, keeping: (Unicode.Scalar) -> Bool) -> String {
        // Printable ASCII, nearly every value, needs no look at its scalars.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        guard text.unicodeScalars.contains(where: { needsEscape($0) && !keeping($0) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) && !keeping(scalar) { out += visible(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    private static func visible(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }

    /// The index of the `m` ending one of tmrepo's own color codes (`ESC [ 31 m`…) at `start`, or nil.
    private static func colorSequenceEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 2 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var index = start + 2
        var code = ""
        while index < scalars.count, ("0"..."9").contains(scalars[index]), code.count < 2 {
            code.unicodeScalars.append(scalars[index])
            index += 1
        }
        return index < scalars.count && scalars[index] == "m" && ownColorCodes.contains(code) ? index : nil
    }
}
