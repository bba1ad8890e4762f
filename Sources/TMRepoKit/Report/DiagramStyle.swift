import ThreatModel

/// How the data-flow diagram looks, shared by its DOT (HTML report) and Mermaid (Markdown
/// report) forms and their legends: the text on each node and edge, fills, borders and lines.
enum DiagramStyle {
    struct Look: Equatable {
        let fill: String
        let text: String
        let border: String
        let borderWidth: Double
        /// "solid", "dashed" or "dotted".
        let line: String
    }

    static let fontName = "Helvetica,Arial,sans-serif"
    static let boundaryColor = "#d32f2f"
    static let plainEdge = "#757575"
    static let coveredFill = "#e8f5e9", coveredBorder = "#2e7d32"
    static let noThreatsFill = "#ffffff", noThreatsBorder = "#9e9e9e"
    static let gapRed = "#d32f2f"
    static let driftBlue = "#1565c0"

    static func fill(_ severity: Severity) -> String { Report.severityColors[severity]! }

    /// A severity's colour for text on white (the light ones darkened to stay readable).
    static func edgeTextColor(_ severity: Severity) -> String {
        switch severity {
        case .critical: "#7b1fa2"
        case .high: "#c62828"
        case .medium: "#e65100"
        case .low: "#8d6e00"
        case .info: "#546e7a"
        }
    }

    static func textColor(on severity: Severity) -> String {
        severity == .critical || severity == .high ? "#ffffff" : "#1d1d1f"
    }

    /// A node's fill by the worst open threat; border and line by its marks (gaps and drift first).
    static func look(_ node: DataFlowDiagram.Node) -> Look {
        var fill = "#ffffff", text = "#1d1d1f", border = "#424242", width = 1.2, line = "solid"
        if node.kind == nil {
            return Look(fill: "#ffffff", text: "#c62828", border: gapRed, borderWidth: 2, line: "dashed")
        }
        if let worst = node.worstOpen {
            fill = self.fill(worst)
            text = textColor(on: worst)
        } else if node.threatCount > 0 {
            (fill, border) = (coveredFill, coveredBorder)
        } else {
            (fill, border) = (noThreatsFill, noThreatsBorder)
        }
        (border, width, line) = borderLook(node.marks, default: (border, width, line))
        return Look(fill: fill, text: text, border: border, borderWidth: width, line: line)
    }

    /// A flow's line: its colour by the worst open threat, dashed and red when unmodeled or an end is missing.
    static func look(_ flow: DataFlowDiagram.Flow) -> Look {
        let color = flow.worstOpen.map(fill) ?? plainEdge
        var (border, width, line) = borderLook(flow.marks, default: (color, flow.crossesBoundary ? 2.0 : 1.2, "solid"))
        if flow.marks.contains(.missingEnd) { (border, line) = (gapRed, "dashed") }
        width = max(width, flow.crossesBoundary ? 2.0 : 1.2)
        return Look(fill: "none", text: flow.worstOpen.map(edgeTextColor) ?? "#424242", border: border, borderWidth: width, line: line)
    }

    private static func borderLook(_ marks: Set<DiagramMark>, default value: (String, Double, String)) -> (String, Double, String) {
        if marks.contains(.unmodeled) { return (gapRed, 2.2, "dashed") }
        if marks.contains(.missingResource) { return (gapRed, 2.2, "dotted") }
        if marks.contains(.changedAfterReview) { return (driftBlue, 3, value.2) }
        return value
    }

    /// The one-line summary under a name: "critical · 2 open · 1 gap", "3 threats, none open", "no threats".
    static func summary(threatCount: Int, openCount: Int, worstOpen: Severity?, strideGaps: Int) -> String {
        var parts: [String] = []
        if threatCount == 0 {
            parts.append("no threats")
        } else if openCount == 0 {
            parts.append(threatCount == 1 ? "1 threat, not open" : "\(threatCount) threats, none open")
        } else {
            if let worstOpen { parts.append(worstOpen.rawValue) }
            parts.append("\(openCount) open")
        }
        if strideGaps > 0, threatCount > 0 { parts.append(strideGaps == 1 ? "1 gap" : "\(strideGaps) gaps") }
        return parts.joined(separator: " · ")
    }

    /// The text lines of a node: its name (wrapped), the summary, then one line of marks.
    /// Every line is already made visible (`TextEscaping.field`); formats escape it for their syntax.
    static func lines(_ node: DataFlowDiagram.Node) -> [String] {
        guard node.kind != nil else {
            return wrap("? " + node.name, width: 24, maxLines: 2) + [node.key.hasPrefix("missing:") && node.name.hasPrefix("(no ") ? "flow end not given" : "not in elements.yml"]
        }
        var lines = wrap(node.name, width: 24, maxLines: 3)
        lines.append(summary(threatCount: node.threatCount, openCount: node.openCount, worstOpen: node.worstOpen, strideGaps: node.strideGaps))
        let marks = node.marks.subtracting([.noThreats, .missingEnd]).sorted()
        if !marks.isEmpty { lines.append("⚠ " + marks.map(\.label).joined(separator: ", ")) }
        return lines
    }

    static func lines(_ flow: DataFlowDiagram.Flow) -> [String] {
        var lines = wrap(flow.name, width: 28, maxLines: 2)
        lines.append(summary(threatCount: flow.threatCount, openCount: flow.openCount, worstOpen: flow.worstOpen, strideGaps: flow.strideGaps))
        let marks = flow.marks.subtracting([.noThreats]).sorted()
        if !marks.isEmpty { lines.append("⚠ " + marks.map(\.label).joined(separator: ", ")) }
        return lines
    }

    /// Greedy word wrap of visible text (control characters written out), long words cut; the
    /// last line ends with "…" when text is left out.
    static func wrap(_ text: String, width: Int, maxLines: Int) -> [String] {
        var words = TextEscaping.field(text).split(separator: " ").map(String.init)
        var lines: [String] = []
        var current = ""
        var index = 0
        while index < words.count {
            let word = words[index]
            if current.isEmpty {
                current = String(word.prefix(width))
                if word.count <= width { index += 1 } else { words[index] = String(word.dropFirst(width)) }
            } else if current.count + 1 + word.count <= width {
                current += " " + word
                index += 1
            } else {
                lines.append(current)
                current = ""
                if lines.count == maxLines { break }
            }
        }
        if !current.isEmpty { lines.append(current) }
        if lines.isEmpty { return [""] }
        if index < words.count {
            let last = lines[lines.count - 1]
            lines[lines.count - 1] = String(last.prefix(width - 1)) + "…"
        }
        return lines
    }
}
