import ThreatModel

/// The report's catalog section: shared mitigations with the threats that reference them, and
/// assumptions with their links and review state. Nothing when the model has no catalog.
extension Report {
    /// Threat ids that reference each shared mitigation (by `ThreatID.key`).
    var referencingThreats: [String: [String]] {
        var out: [String: [String]] = [:]
        for threat in model.threats {
            for mitigation in threat.mitigations { if let ref = mitigation.ref { out[ThreatID.key(ref), default: []].append(threat.id) } }
        }
        return out
    }

    func catalogSection() -> String {
        guard !model.sharedMitigations.isEmpty || !model.assumptions.isEmpty else { return "" }
        let e = HTML.escape
        let references = referencingThreats
        func links(_ ids: [String]) -> String {
            ids.map { "<a href=\"#\(e($0))\">\(e($0))</a>" }.joined(separator: ", ")
        }
        var out = "<section id=\"catalog\"><h2>Catalog</h2>"
        out += "<h3>Shared mitigations (\(model.sharedMitigations.count))</h3><table><thead><tr><th>Mitigation</th><th>Status</th><th>Owner</th><th>Evidence</th><th>Verified</th><th>Threats</th></tr></thead><tbody>"
        for item in model.sharedMitigations {
            out += "<tr id=\"\(e(item.id))\"><td><strong>\(e(item.id))</strong> \(e(item.title))</td><td>\(e(item.status?.rawValue ?? "?"))</td>"
                + "<td>\(e(item.owner ?? "—"))</td><td>\(item.evidence.map { "<code>\(e($0))</code>" }.joined(separator: " "))</td>"
                + "<td>\(e(item.verified?.description ?? "—"))</td><td>\(links(references[ThreatID.key(item.id)] ?? []))</td></tr>"
        }
        out += "</tbody></table>"
        out += "<h3>Assumptions (\(model.assumptions.count), \(status.assumptions.filter(\.overdue).count) overdue)</h3><table><thead><tr><th>Assumption</th><th>Owner</th><th>Threats</th><th>Mitigations</th><th>Review due</th></tr></thead><tbody>"
        let entries = Dictionary(status.assumptions.map { (ThreatID.key($0.assumption.id), $0) }, uniquingKeysWith: { first, _ in first })
        for item in model.assumptions {
            let entry = entries[ThreatID.key(item.id)]
            let due = entry?.reviewDue.map { e($0.description) } ?? "—"
            out += "<tr><td><strong>\(e(item.id))</strong> \(e(item.statement))</td><td>\(e(item.owner ?? "—"))</td><td>\(links(item.threats))</td>"
                + "<td>\(links(item.mitigations))</td><td>\(entry?.overdue == true ? "<strong>overdue</strong> (\(due))" : due)</td></tr>"
        }
        return out + "</tbody></table></section>"
    }

    func catalogMarkdown() -> [String] {
        guard !model.sharedMitigations.isEmpty || !model.assumptions.isEmpty else { return [] }
        let cell = MarkdownText.inline, code = MarkdownText.code
        let references = referencingThreats
        var lines = ["## Catalog", "", "### Shared mitigations", ""]
        lines += model.sharedMitigations.isEmpty ? ["None.", ""] : ["| mitigation | status | owner | evidence | verified | threats |", "| --- | --- | --- | --- | --- | --- |"]
            + model.sharedMitigations.map { item in
                "| \(cell(item.id)) \(cell(item.title)) | \(item.status?.rawValue ?? "?") | \(cell(item.owner ?? "—")) | \(item.evidence.map(code).joined(separator: ", ")) | \(item.verified?.description ?? "—") | \((references[ThreatID.key(item.id)] ?? []).map(cell).joined(separator: ", ")) |"
            } + [""]
        let entries = Dictionary(status.assumptions.map { (ThreatID.key($0.assumption.id), $0) }, uniquingKeysWith: { first, _ in first })
        lines += ["### Assumptions", ""]
        lines += model.assumptions.isEmpty ? ["None.", ""] : ["| assumption | owner | threats | mitigations | review due |", "| --- | --- | --- | --- | --- |"]
            + model.assumptions.map { item in
                let entry = entries[ThreatID.key(item.id)]
                let due = (entry?.reviewDue?.description ?? "—") + (entry?.overdue == true ? " (**overdue**)" : "")
                return "| \(cell(item.id)) \(cell(item.statement)) | \(cell(item.owner ?? "—")) | \(item.threats.map(cell).joined(separator: ", ")) | \(item.mitigations.map(cell).joined(separator: ", ")) | \(due) |"
            } + [""]
        return lines
    }
}
