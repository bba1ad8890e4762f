import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Rebuilds an SVG document (Graphviz's output) from a whitelist before it goes inline into the
/// report: drawing elements and presentation attributes only, so no script, foreignObject,
/// link, image, style sheet, event handler or external reference survives, whatever the text in
/// it. The document is parsed with an XML parser (no DTD or entity loading) and written again
/// with every text and attribute value escaped; anything that does not parse yields nil.
enum SVGSanitizer {
    static let elements: Set<String> = ["svg", "g", "title", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line", "text"]
    static let attributes: Set<String> = [
        "id", "class", "transform", "viewBox", "width", "height", "fill", "stroke", "stroke-width", "stroke-dasharray",
        "stroke-opacity", "fill-opacity", "points", "d", "cx", "cy", "rx", "ry", "r", "x", "y", "x1", "y1", "x2", "y2",
        "text-anchor", "font-family", "font-size", "font-weight", "font-style", "text-decoration",
    ]

    /// The SVG element again, safe to put in HTML; `idPrefix` keeps its ids apart from the page's.
    static func sanitize(_ bytes: [UInt8], idPrefix: String, label: String) -> String? {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let writer = Writer(idPrefix: idPrefix, label: label)
        parser.delegate = writer
        guard parser.parse(), writer.failure == nil, writer.depth == 0, writer.sawRoot else { return nil }
        return writer.out
    }

    /// Whether an attribute value is plain presentation data: numbers, colours, names, paths,
    /// and in a transform its functions; never `url(`, `javascript:`, `&`, `<` or quotes.
    static func allowed(_ name: String, _ value: String) -> Bool {
        guard value.count <= 100_000 else { return false }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", " ", ".", ",", "-", "+", "#", "%", "_": continue
            case "(", ")": if name == "transform" { continue } else { return false }
            default: return false
            }
        }
        return true
    }

    private final class Writer: NSObject, XMLParserDelegate {
        let idPrefix: String
        let label: String
        var out = ""
        var depth = 0
        var sawRoot = false
        /// Depth at which an element that is not allowed started: everything inside it is dropped.
        var skipping: Int?
        var failure: String?

        init(idPrefix: String, label: String) {
            self.idPrefix = idPrefix
            self.label = label
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            depth += 1
            guard skipping == nil else { return }
            guard SVGSanitizer.elements.contains(name), depth > 1 || name == "svg" else {
                skipping = depth
                return
            }
            if name == "svg" {
                guard depth == 1 else { skipping = depth; return }
                sawRoot = true
            }
            var tag = "<" + name
            if name == "svg" {
                tag += " xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(HTML.escape(label))\""
            }
            for key in attributes.keys.sorted() where SVGSanitizer.attributes.contains(key) {
                guard var value = attributes[key], SVGSanitizer.allowed(key, value) else { continue }
                if key == "id" { value = idPrefix + value }
                tag += " \(key)=\"\(HTML.escape(value))\""
            }
            out += tag + ">"
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { depth -= 1 }
            if let start = skipping {
                if start == depth { skipping = nil }
                return
            }
            out += "</\(name)>"
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard skipping == nil, depth > 0 else { return }
            out += HTML.escape(string)
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard skipping == nil, depth > 0 else { return }
            out += HTML.escape(String(decoding: CDATABlock, as: UTF8.self))
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            failure = "\(parseError)"
        }
    }
}
