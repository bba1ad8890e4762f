import Foundation
import ThreatModel

/// Threat Composer import: one threat file per threat of a checked document.
extension ThreatComposer {
    /// Plans the import of a `.tc.json` document into a model: one threat file per threat, new ids
    /// after every id in use, threats imported before (same Threat Composer id) skipped. Throws
    /// (naming the JSON path) on anything it cannot map; plans nothing then.
    public static func planImport(_ data: Data, model: Model, firstID: Int, idWidth: Int, owner: String?) throws -> ImportPlan {
        let document = try readDocument(data)
        let config = model.config
        var plan = ImportPlan()
        plan.notes = document.notes
        if document.hasDiagrams {
            plan.notes.append("architecture and data-flow diagram images are not imported (describe elements in elements.yml)")
        }
        let known = Dictionary(model.threats.compactMap { threat in threat.threatComposer.map { ($0.id, threat.id) } },
                               uniquingKeysWith: { first, _ in first })
        var catalog = try planCatalog(document, model: model)
        var next = firstID
        for source in document.threats {
            let item = source.item
            let composerID = item["id"] as! String   // checked by readDocument
            if let existing = known[composerID] {
                plan.skipped.append((composerID, "already imported as \(existing)"))
                continue
            }
            let metadata = source.metadata
            let id = metadata.string("custom:tmrepo-id").flatMap { candidate in
                model.threat(id: candidate) == nil && ThreatParser.isValidID(candidate, prefix: config.idPrefix)
                    && !plan.files.contains { $0.threatID == candidate } ? candidate : nil
            } ?? (config.idPrefix + String(next).leftPadded(to: idWidth))
            if id.hasPrefix(config.idPrefix), let number = Model.idNumber(id) { next = max(next, number + 1) }
            let linked = document.mitigationLinks.filter { $0["linkedId"] as? String == composerID }.compactMap { link in
                (link["mitigationId"] as? String).flatMap { document.mitigations[$0] }
            }.sorted { number($0.item["numericId"]) < number($1.item["numericId"]) }
            catalog.threatIDs[composerID] = id
            // Assumptions are catalog items now (linked by id), no longer folded into the body.
            let (text, notes, needsOwner) = try renderThreat(id: id, composerID: composerID, source: source, mitigations: linked,
                                                             assumptions: [], owner: owner, shared: catalog.mitigationIDs)
            plan.notes += notes.map { "\(id): \($0)" }
            if needsOwner { plan.ownerless.append(id) }
            let bytes = Array(text.utf8)
            guard bytes.count <= Limits.maximumFileBytes else {
                throw InteropError(at: source.path, "the threat file would be \(bytes.count) bytes, more than the \(Limits.maximumFileBytes) a threat file may hold")
            }
            let title = titleOf(item, metadata: metadata)
            let path = config.threatsDirectory + id + "-" + ThreatTemplate.slug(title) + ".md"
            plan.files.append(ImportPlan.File(path: path, bytes: bytes, threatID: id, composerID: composerID))
        }
        for (composerID, threatID) in known where catalog.threatIDs[composerID] == nil { catalog.threatIDs[composerID] = threatID }
        try renderCatalog(document, model: model, catalog: catalog, owner: owner, into: &plan)
        return plan
    }

    static let consumedCustomKeys: Set = ["custom:tmrepo-id", "custom:severity", "custom:status", "custom:owner", "custom:reviewed-on",
                                          "custom:reviewed-by", "custom:review-every", "custom:element", "custom:assets", "custom:body",
                                          "custom:title", "custom:tags", "custom:stride"]

    static func titleOf(_ item: [String: Any], metadata: Metadata) -> String {
        // Blank text is no title: fall through to the next source.
        if let title = metadata.string("custom:title").map({ oneLine($0, limit: .max) }), !title.isEmpty { return title }
        if let statement = item["statement"] as? String, case let line = oneLine(statement), !line.isEmpty { return line }
        let parts = [item["threatSource"], item["threatAction"]].compactMap { ($0 as? String).map { oneLine($0) } }.filter { !$0.isEmpty }
        return parts.isEmpty ? "Imported threat" : oneLine(parts.joined(separator: " can "))
    }

    /// The STRIDE categories, and whether they were inferred (then with a note saying how).
    static func strideOf(_ source: SourceThreat) throws -> (categories: [StrideCategory], inferredNote: String?) {
        if let stated = try stride(source) { return (stated, nil) }
        let item = source.item
        let grammar = [item["threatAction"], item["threatImpact"]].compactMap { $0 as? String }.filter { !InteropJSON.isBlank($0) }
        let text = grammar.isEmpty ? ((item["statement"] as? String) ?? "") : grammar.joined(separator: " ")
        let (categories, basis) = StrideInference.infer(text: text, goals: (item["impactedGoal"] as? [String]) ?? [])
        let letters = categories.map(\.letter).joined()
        let how: String
        switch basis {
        case .keywords: how = "inferred \(letters) from the statement's words"
        case .impactedGoals: how = "inferred \(letters) from the impacted goals"
        case .fallback: how = "no keyword or impacted goal to infer it from; set to \(letters)"
        }
        return (categories, "no STRIDE metadata; \(how) and tagged \(ThreatParser.strideInferredTag) (lint warns until a person removes the tag)")
    }

    /// The threat file for one Threat Composer threat, what could not be mapped, and whether it
    /// still needs an owner.
    static func renderThreat(id: String, composerID: String, source: SourceThreat, mitigations: [(path: String, item: [String: Any])],
                             assumptions: [[String: Any]], owner: String?, shared: [String: String] = [:]) throws -> (String, [String], Bool) {
        let item = source.item, metadata = source.metadata
        var notes: [String] = []
        func scalar(_ value: String) -> String { YAMLScalar.render(value) }
        func list(_ values: [String]) -> String { "[" + values.map { YAMLScalar.isPlainSafe($0) && !$0.contains(",") ? $0 : YAMLScalar.quoted($0) }.joined(separator: ", ") + "]" }

        let (stride, inferred) = try strideOf(source)
        if let inferred { notes.append(inferred) }
        var severity = try self.severity(source)
        if severity == nil {
            severity = .medium
            notes.append("no Priority; severity set to medium")
        }
        let status = try self.status(source)
        let threatOwner = metadata.string("custom:owner").flatMap { InteropJSON.isBlank($0) ? nil : $0 } ?? owner
        let needsOwner = threatOwner == nil && status.needsOwner

        var lines = ["---", "id: \(id)", "title: \(scalar(titleOf(item, metadata: metadata)))", "stride: \(list(stride.map(\.rawValue)))"]
        if let element = metadata.string("custom:element") { lines.append("element: \(scalar(element))") }
        if let assets = metadata.values("custom:assets"), !assets.isEmpty { lines.append("assets: \(list(assets))") }
        lines += ["severity: \(severity!.rawValue)", "status: \(status.rawValue)", "owner:" + (threatOwner.map { " " + scalar($0) } ?? "")]
        if let every = metadata.string("custom:review-every") { lines.append("review_every: \(scalar(every))") }
        if let on = metadata.string("custom:reviewed-on") {
            lines += ["reviewed:", "  on: \(scalar(on))"]
            if let by = metadata.string("custom:reviewed-by") { lines.append("  by: \(scalar(by))") }
        }
        var longMitigations: [String] = []
        var mitigationNotes: [String] = []
        if !mitigations.isEmpty {
            lines.append("mitigations:")
            for (index, (path, mitigation)) in mitigations.enumerated() {
                if let reference = (mitigation["id"] as? String).flatMap({ shared[$0] }) {
                    lines.append("  - ref: \(reference)")
                    continue
                }
                let meta = try Metadata(mitigation["metadata"], at: path + ".metadata")
                let content = (mitigation["content"] as? String) ?? ""
                let title = meta.string("custom:title") ?? oneLine(content)
                if meta.string("custom:title") == nil && oneLine(content, limit: .max) != title { longMitigations.append(content) }
                if let comments = meta.string("Comments") {
                    mitigationNotes.append("- **M-\(index + 1)** \(title): " + comments.trimmingCharacters(in: .whitespacesAndNewlines)
                        .replacingOccurrences(of: "\n\n", with: " ").replacingOccurrences(of: "\n", with: " "))
                }
                let mitigationStatus = try self.mitigationStatus(mitigation, metadata: meta, at: path)
                lines += ["  - id: \(scalar(meta.string("custom:tmrepo-mitigation-id") ?? "M-\(index + 1)"))",
                          "    title: \(scalar(title.isEmpty ? "Mitigation \(index + 1)" : title))",
                          "    status: \(mitigationStatus.rawValue)"]
                if let owner = meta.string("custom:owner") { lines.append("    owner: \(scalar(owner))") }
                if let evidence = meta.values("custom:evidence"), !evidence.isEmpty { lines.append("    evidence: \(list(evidence))") }
                if let verified = meta.string("custom:verified") { lines.append("    verified: \(scalar(verified))") }
            }
        }
        let grammar: [(String, Any?)] = [("source", item["threatSource"]), ("prerequisites", item["prerequisites"]),
                                          ("action", item["threatAction"]), ("impact", item["threatImpact"]),
                                          ("impacted_goal", item["impactedGoal"]), ("impacted_assets", item["impactedAssets"])]
        func strings(_ value: Any?) -> [String]? { (value as? [Any]).map { $0.compactMap { $0 as? String } } }
        if grammar.contains(where: { ($0.1 as? String).map { !$0.isEmpty } ?? ((strings($0.1)).map { !$0.isEmpty } ?? false) }) {
            lines.append("threat:")
            for (key, value) in grammar {
                if let text = value as? String, !text.isEmpty { lines.append("  \(key): \(scalar(oneLine(text, limit: .max)))") }
                if let values = strings(value), !values.isEmpty { lines.append("  \(key): \(list(values))") }
            }
        }
        var tags = metadata.values("custom:tags") ?? strings(item["tags"]) ?? []
        if inferred != nil && !tags.contains(ThreatParser.strideInferredTag) { tags.append(ThreatParser.strideInferredTag) }
        if !tags.isEmpty { lines.append("tags: \(list(tags))") }
        lines += ["threat_composer:", "  id: \(scalar(composerID))"]
        if let numeric = item["numericId"] as? Int { lines.append("  numeric_id: \(numeric)") }
        // The statement, when the export would not compose the same one from the grammar (or the title).
        if let statement = item["statement"] as? String, !InteropJSON.isBlank(statement) {
            func text(_ key: String) -> String? { (item[key] as? String).map { oneLine($0, limit: .max) }.flatMap { $0.isEmpty ? nil : $0 } }
            let grammar = ThreatStatement(source: text("threatSource"), prerequisites: text("prerequisites"), action: text("threatAction"),
                                          impact: text("threatImpact"), impactedGoal: strings(item["impactedGoal"]) ?? [],
                                          impactedAssets: strings(item["impactedAssets"]) ?? [])
            if statement != (composedStatement(grammar) ?? titleOf(item, metadata: metadata)) {
                lines.append("  statement: \(scalar(statement))")
            }
        }
        // In key order, as the export writes them, so a round trip gives the same bytes.
        let custom = metadata.entries.filter { $0.key.hasPrefix("custom:") && !consumedCustomKeys.contains($0.key) }.sorted { $0.key < $1.key }
        if !custom.isEmpty {
            lines.append("  custom:")
            for entry in custom { lines.append("    \(scalar(entry.key)): \(list(entry.values))") }
        }
        for key in metadata.entries.map(\.key) where !key.hasPrefix("custom:") && !["STRIDE", "Priority", "Comments"].contains(key) {
            notes.append("metadata '\(key)' has no place in tmrepo and was left out")
        }
        lines.append("---")

        var body: String
        if let kept = metadata.string("custom:body") {
            body = kept
        } else {
            var parts: [String] = []
            if let statement = item["statement"] as? String, !oneLine(statement).isEmpty { parts.append("## Threat statement\n\n\(statement)\n") }
            if let comments = metadata.string("Comments") { parts.append("## Notes\n\n\(comments.trimmingCharacters(in: .whitespacesAndNewlines))\n") }
            if !longMitigations.isEmpty {
                parts.append("## Mitigations in full\n\n" + longMitigations.map { "- " + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: "\n") + "\n")
            }
            if !mitigationNotes.isEmpty { parts.append("## Mitigation notes\n\n" + mitigationNotes.joined(separator: "\n") + "\n") }
            if !assumptions.isEmpty {
                let items = assumptions.map { assumption -> String in
                    let content = ((assumption["content"] as? String) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    let comment = (try? Metadata(assumption["metadata"], at: ""))?.string("Comments")
                        .map { " — " + $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
                    return "- \(content)\(comment)"
                }
                parts.append("## Assumptions\n\n" + items.joined(separator: "\n") + "\n")
            }
            body = "\n" + parts.joined(separator: "\n")
        }
        // The body is everything after the closing '---' line, kept exactly.
        return (lines.joined(separator: "\n") + "\n" + body, notes, needsOwner)
    }
}
