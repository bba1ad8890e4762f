import Foundation

/// HTML for the report: escaping, and reducing rendered Markdown to a whitelist of prose tags
/// (no scripts, no event handlers, no javascript: links).
enum HTML {
    /// Escapes text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Keeps the tags Markdown produces for prose and drops everything else (scripts, styles,
    /// event handlers, iframes): a threat's body is untrusted text.
    static func sanitize(_ html: String) -> String {
        let allowed: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong", "code", "pre", "blockquote",
                                    "hr", "br", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "s"]
        var out = ""
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else {
                out += escape(String(rest[open...]))
                return out
            }
            let tag = rest[rest.index(after: open)..<close]
            let closing = tag.hasPrefix("/")
            let name = (closing ? tag.dropFirst() : tag).prefix { $0.isLetter || $0.isNumber }.lowercased()
            if allowed.contains(name) {
                if closing {
                    out += "</\(name)>"
                } else if name == "a" {
                    out += "<a" + safeHref(String(tag)).map { " href=\"\(escape($0))\" rel=\"noopener noreferrer\"" }! + ">"
                } else {
                    out += "<\(name)>"
                }
            } else {
                out += escape(String(rest[open...close]))
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    /// The href of an <a> tag when it is http(s), mailto or a fragment; otherwise "#".
    private static func safeHref(_ tag: String) -> String? {
        guard let range = tag.range(of: "href=\"") else { return "#" }
        let value = tag[range.upperBound...].prefix { $0 != "\"" }
        let decoded = value.replacingOccurrences(of: "&amp;", with: "&")
        let lower = decoded.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") || lower.hasPrefix("#") ? decoded : "#"
    }
}
