import Foundation
import ThreatModel

/// Threat Composer mitigations and assumptions ⇄ the catalog (`mitigations/`, `assumptions/`).
/// Every Threat Composer mitigation becomes one shared mitigation that its threats reference
/// (`- ref: MIT-…`), except one tmrepo exported from a threat's own list (it carries
/// `custom:tmrepo-mitigation-id`, has one threat and no assumption): that one goes back inline.
/// Every assumption becomes one catalog assumption with its links. Export writes each once.
extension ThreatComposer {
    struct CatalogPlan {
        /// Threat Composer mitigation id → shared mitigation id (new or already in the catalog).
        var mitigationIDs: [String: String] = [:]
        var assumptionIDs: [String: String] = [:]
        /// Threat Composer threat id → tmrepo threat id (filled while threats are planned).
        var threatIDs: [String: String] = [:]
        /// The Threat Composer ids to write as new catalog files, in numericId order.
        var newMitigations: [String] = []
        var newAssumptions: [String] = []
    }

    static let consumedCatalogKeys: Set = ["custom:tmrepo-catalog-id", "custom:title", "custom:status", "custom:owner", "custom:evidence",
                                           "custom:verified", "custom:reviewed-on", "custom:reviewed-by", "custom:review-every",
                                           "custom:body", "custom:tc-status", "custom:tmrepo-mitigation-id"]

    /// Threat Composer's mitigation statuses, and tmrepo's for each.
    static let mitigationStatusTable: [String: MitigationStatus] = [
        "mitigationidentified": .planned, "mitigationinprogress": .planned, "mitigationresolved": .implemented,
        "mitigationresolvedwillnotaction": .dropped,
    ]

    private static func ordered(_ items: [String: (path: String, item: [String: Any])]) -> [(id: String, path: String, item: [String: Any])] {
        items.map { ($0.key, $0.value.path, $0.value.item) }.sorted {
            let l = number($0.item["numericId"]), r = number($1.item["numericId"])
            return l != r ? l < r : $0.id < $1.id
        }
    }

    /// Decides which mitigations and assumptions become catalog items and their ids.
    static func planCatalog(_ document: Document, model: Model) throws -> CatalogPlan {
        var plan = CatalogPlan()
        let threatsHere = Set(document.threats.compactMap { $0.item["id"] as? String } + model.threats.compactMap { $0.threatComposer?.id })
        var threatLinks: [String: Int] = [:]
        for link in document.mitigationLinks {
            if let mitigation = link["mitigationId"] as? String, let threat = link["linkedId"] as? String, threatsHere.contains(threat) {
                threatLinks[mitigation, default: 0] += 1
            }
        }
        let linkedByAssumptions = Set(document.assumptionLinks.compactMap { $0["linkedId"] as? String })

        func assign(_ kind: CatalogKind, existing: [String: String], used: [String], items: [(id: String, path: String, item: [String: Any])],
                    inline: (String, Metadata) -> Bool) throws -> (ids: [String: String], new: [String]) {
            var ids: [String: String] = [:], new: [String] = []
            var taken = Set(used.map(ThreatID.key))
            var next = (used.compactMap { Model.idNumber($0) }.max() ?? 0) + 1
            for (composerID, path, item) in items {
                if let id = existing[composerID] { ids[composerID] = id; continue }
                let metadata = try Metadata(item["metadata"], at: path + ".metadata")
                if inline(composerID, metadata) { continue }
                var id = kind.idPrefix + String(next).leftPadded(to: 4)
                if let wanted = metadata.string("custom:tmrepo-catalog-id"), ThreatParser.isValidID(wanted, prefix: kind.idPrefix),
                   !taken.contains(ThreatID.key(wanted)) {
                    id = wanted
                }
                taken.insert(ThreatID.key(id))
                if let number = Model.idNumber(id) { next = max(next, number + 1) }
                ids[composerID] = id
                new.append(composerID)
            }
            return (ids, new)
        }
        let existingMitigations = Dictionary(model.sharedMitigations.compactMap { item in item.threatComposer.map { ($0.id, item.id) } },
                                             uniquingKeysWith: { first, _ in first })
        (plan.mitigationIDs, plan.newMitigations) = try assign(
            .mitigation, existing: existingMitigations, used: model.sharedMitigations.map(\.id), items: ordered(document.mitigations),
            inline: { id, metadata in
                metadata.string("custom:tmrepo-mitigation-id") != nil && threatLinks[id] == 1 && !linkedByAssumptions.contains(id)
            })
        let existingAssumptions = Dictionary(model.assumptions.compactMap { item in item.threatComposer.map { ($0.id, item.id) } },
                                             uniquingKeysWith: { first, _ in first })
        (plan.assumptionIDs, plan.newAssumptions) = try assign(
            .assumption, existing: existingAssumptions, used: model.assumptions.map(\.id), items: ordered(document.assumptions),
            inline: { _, _ in false })
        return plan
    }

    /// The catalog files of the plan, appended to `plan.catalogFiles`, and notes for links that lead nowhere.
    static func renderCatalog(_ document: Document, model: Model, catalog: CatalogPlan, owner: String?, into plan: inout ImportPlan) throws {
        func scalar(_ value: String) -> String { YAMLScalar.render(value) }
        func list(_ values: [String]) -> String { "[" + values.map { YAMLScalar.isPlainSafe($0) && !$0.contains(",") ? $0 : YAMLScalar.quoted($0) }.joined(separator: ", ") + "]" }
        func strings(_ value: Any?) -> [String] { ((value as? [Any]) ?? []).compactMap { $0 as? String } }
        func composerBlock(_ composerID: String, item: [String: Any], metadata: Metadata, content: String?, tcStatus: String?) -> [String] {
            var lines = ["threat_composer:", "  id: \(scalar(composerID))"]
            if let numeric = item["numericId"] as? Int { lines.append("  numeric_id: \(numeric)") }
            if let content { lines.append("  content: \(scalar(content))") }
            if let tcStatus { lines.append("  status: \(scalar(tcStatus))") }
            if let comments = metadata.string("Comments") { lines.append("  comments: \(scalar(comments))") }
            let tags = strings(item["tags"])
            if !tags.isEmpty { lines.append("  tags: \(list(tags))") }
            let custom = metadata.entries.filter { $0.key.hasPrefix("custom:") && !consumedCatalogKeys.contains($0.key) }.sorted { $0.key < $1.key }
            if !custom.isEmpty {
                lines.append("  custom:")
                for entry in custom { lines.append("    \(scalar(entry.key)): \(list(entry.values))") }
            }
            return lines
        }
        func reviewLines(_ metadata: Metadata) -> [String] {
            guard let on = metadata.string("custom:reviewed-on") else { return [] }
            return ["reviewed:", "  on: \(scalar(on))"] + (metadata.string("custom:reviewed-by").map { ["  by: \(scalar($0))"] } ?? [])
        }
        func file(_ kind: CatalogKind, id: String, title: String, composerID: String, lines: [String], body: String, at path: String) throws {
            let bytes = Array((lines.joined(separator: "\n") + "\n" + body).utf8)
            guard bytes.count <= Limits.maximumFileBytes else {
                throw InteropError(at: path, "the catalog file would be \(bytes.count) bytes, more than the \(Limits.maximumFileBytes) a model file may hold")
            }
            let slug = ThreatTemplate.slug(title)
            let name = model.config.directory(for: kind) + id + (slug.isEmpty ? "" : "-" + slug) + ".md"
            plan.catalogFiles.append(ImportPlan.File(path: name, bytes: bytes, threatID: id, composerID: composerID))
        }
        for (index, link) in document.mitigationLinks.enumerated() {
            guard let threat = link["linkedId"] as? String, catalog.threatIDs[threat] == nil else { continue }
            plan.notes.append("$.mitigationLinks[\(index)]: links to '\(threat)', which is no threat of the file or the model; dropped")
        }
        for composerID in catalog.newMitigations {
            guard let (path, item) = document.mitigations[composerID], let id = catalog.mitigationIDs[composerID] else { continue }
            let metadata = try Metadata(item["metadata"], at: path + ".metadata")
            let content = (item["content"] as? String) ?? ""
            var title = metadata.string("custom:title").map { oneLine($0, limit: .max) } ?? oneLine(content)
            if title.isEmpty { title = "Mitigation \(number(item["numericId"]) == .max ? 0 : number(item["numericId"]))" }
            let status = try mitigationStatus(item, metadata: metadata, at: path)
            // Threat Composer's own status, when the export would not give it back from tmrepo's.
            let raw = (item["status"] as? String)
            let tcStatus = raw.flatMap { raw in exportStatus(status) == raw ? nil : (mitigationStatusTable[raw.lowercased()] == status ? raw : nil) }
            var lines = ["---", "id: \(id)", "title: \(scalar(title))", "status: \(status.rawValue)"]
            if let owner = metadata.string("custom:owner"), !InteropJSON.isBlank(owner) { lines.append("owner: \(scalar(owner))") }
            if let evidence = metadata.values("custom:evidence"), !evidence.isEmpty { lines.append("evidence: \(list(evidence))") }
            if let verified = metadata.string("custom:verified") { lines.append("verified: \(scalar(verified))") }
            lines += reviewLines(metadata)
            lines += composerBlock(composerID, item: item, metadata: metadata, content: content == title ? nil : content, tcStatus: tcStatus)
            lines.append("---")
            for key in metadata.entries.map(\.key) where !key.hasPrefix("custom:") && key != "Comments" {
                plan.notes.append("\(id): metadata '\(key)' has no place in tmrepo and was left out")
            }
            try file(.mitigation, id: id, title: title, composerID: composerID, lines: lines, body: metadata.string("custom:body") ?? "", at: path)
        }
        for composerID in catalog.newAssumptions {
            guard let (path, item) = document.assumptions[composerID], let id = catalog.assumptionIDs[composerID] else { continue }
            let metadata = try Metadata(item["metadata"], at: path + ".metadata")
            let content = (item["content"] as? String) ?? ""
            guard !InteropJSON.isBlank(content) else {
                throw InteropError(at: path + ".content", "the assumption has no text")
            }
            var threats: [String] = [], mitigations: [String] = []
            for (index, link) in document.assumptionLinks.enumerated() where link["assumptionId"] as? String == composerID {
                let linked = (link["linkedId"] as? String) ?? ""
                if let threat = catalog.threatIDs[linked] {
                    if !threats.contains(threat) { threats.append(threat) }
                } else if let mitigation = catalog.mitigationIDs[linked] {
                    if !mitigations.contains(mitigation) { mitigations.append(mitigation) }
                } else {
                    plan.notes.append("$.assumptionLinks[\(index)]: links \(id) to '\(linked)', which is no threat or shared mitigation; dropped")
                }
            }
            var lines = ["---", "id: \(id)", "statement: \(scalar(content))"]
            if let owner = metadata.string("custom:owner").flatMap({ InteropJSON.isBlank($0) ? nil : $0 }) ?? owner {
                lines.append("owner: \(scalar(owner))")
            }
            if !threats.isEmpty || !mitigations.isEmpty {
                lines.append("links:")
                if !threats.isEmpty { lines.append("  threats: \(list(threats.sorted(by: Model.idOrder)))") }
                if !mitigations.isEmpty { lines.append("  mitigations: \(list(mitigations.sorted(by: Model.idOrder)))") }
            }
            if let every = metadata.string("custom:review-every") { lines.append("review_every: \(scalar(every))") }
            lines += reviewLines(metadata)
            lines += composerBlock(composerID, item: item, metadata: metadata, content: nil, tcStatus: nil)
            lines.append("---")
            for key in metadata.entries.map(\.key) where !key.hasPrefix("custom:") && key != "Comments" {
                plan.notes.append("\(id): metadata '\(key)' has no place in tmrepo and was left out")
            }
            try file(.assumption, id: id, title: oneLine(content, limit: 60), composerID: composerID, lines: lines,
                     body: metadata.string("custom:body") ?? "", at: path)
        }
    }

    /// Threat Composer's status for a tmrepo mitigation status.
    static func exportStatus(_ status: MitigationStatus?) -> String {
        switch status {
        case .implemented?, .verified?: "mitigationResolved"
        case .dropped?: "mitigationResolvedWillNotAction"
        default: "mitigationIdentified"
        }
    }

    /// The Threat Composer id of a catalog item: the one it was imported with, else one derived from its id.
    static func composerID(_ link: CatalogComposerLink?, id: String) -> String {
        link?.id ?? uuid("catalog:" + ThreatID.key(id))
    }

    /// The catalog as Threat Composer mitigations, assumptions and assumption links; mitigation
    /// numbers are the ones imported, else the id's number.
    static func exportCatalog(model: Model) -> (mitigations: [JSON], assumptions: [JSON], assumptionLinks: [JSON], notes: [String]) {
        var notes: [String] = []
        func meta(_ key: String, _ value: String?) -> JSON? {
            value.map { .object([("key", .string("custom:" + key)), ("value", .string($0))]) }
        }
        func metaList(_ key: String, _ values: [String]) -> JSON? {
            values.isEmpty ? nil : .object([("key", .string("custom:" + key)), ("value", .strings(values))])
        }
        func kept(_ link: CatalogComposerLink?) -> [JSON] {
            var out: [JSON] = []
            if let comments = link?.comments { out.append(.object([("key", .string("Comments")), ("value", .string(String(comments.prefix(1000))))])) }
            for (key, values) in (link?.custom ?? [:]).sorted(by: { $0.key < $1.key }) where key.count <= 50 {
                out.append(.object([("key", .string(key)), ("value", values.count == 1 ? .string(values[0]) : .strings(values))]))
            }
            return out
        }
        func tags(_ link: CatalogComposerLink?) -> JSON { .strings((link?.tags ?? []).filter { !$0.isEmpty }.map { String($0.prefix(30)) }) }
        var mitigations: [JSON] = []
        for item in model.sharedMitigations {
            let link = item.threatComposer
            let numeric = link?.numericID ?? Model.idNumber(item.id) ?? 0
            var metadata: [JSON] = kept(link)
            metadata += [meta("tmrepo-catalog-id", item.id), meta("title", item.title), meta("status", item.status?.rawValue),
                         meta("owner", item.owner), metaList("evidence", item.evidence), meta("verified", item.verified?.description),
                         meta("reviewed-on", item.reviewed?.on?.description), meta("reviewed-by", item.reviewed?.by),
                         item.body.isEmpty ? nil : meta("body", item.body)].compactMap { $0 }
            let content = link?.content ?? item.title
            if content.count > 1000 { notes.append("\(item.id): content cut to Threat Composer's 1,000 characters") }
            // The status Threat Composer had, while tmrepo's still says the same.
            let status = composerStatus(item)
            mitigations.append(.object([("id", .string(composerID(link, id: item.id))), ("numericId", .int(numeric)), ("displayOrder", .int(numeric)),
                                        ("metadata", .array(metadata)), ("tags", tags(link)),
                                        ("content", .string(String(content.prefix(1000)))), ("status", .string(status))]))
        }
        var assumptions: [JSON] = [], links: [JSON] = []
        for item in model.assumptions {
            let link = item.threatComposer
            let numeric = link?.numericID ?? Model.idNumber(item.id) ?? 0
            var metadata: [JSON] = kept(link)
            metadata += [meta("tmrepo-catalog-id", item.id), meta("owner", item.owner), meta("review-every", item.reviewEvery?.description),
                         meta("reviewed-on", item.reviewed?.on?.description), meta("reviewed-by", item.reviewed?.by),
                         item.body.isEmpty ? nil : meta("body", item.body)].compactMap { $0 }
            if item.statement.count > 1000 { notes.append("\(item.id): statement cut to Threat Composer's 1,000 characters") }
            let assumptionID = composerID(link, id: item.id)
            assumptions.append(.object([("id", .string(assumptionID)), ("numericId", .int(numeric)), ("displayOrder", .int(numeric)),
                                        ("metadata", .array(metadata)), ("tags", tags(link)),
                                        ("content", .string(String(item.statement.prefix(1000))))]))
            for id in item.threats {
                guard let threat = model.threat(id: id) else { notes.append("\(item.id): link to unknown threat \(id) left out"); continue }
                links.append(.object([("type", .string("Threat")), ("assumptionId", .string(assumptionID)),
                                      ("linkedId", .string(threatComposerID(threat)))]))
            }
            for id in item.mitigations {
                guard let shared = model.sharedMitigation(id: id) else { notes.append("\(item.id): link to unknown mitigation \(id) left out"); continue }
                links.append(.object([("type", .string("Mitigation")), ("assumptionId", .string(assumptionID)),
                                      ("linkedId", .string(composerID(shared.threatComposer, id: shared.id)))]))
            }
        }
        return (mitigations, assumptions, links, notes)
    }

    /// Threat Composer's status for a shared mitigation: the one it was imported with while it
    /// still means tmrepo's status (mitigationInProgress is planned), else the one tmrepo's maps to.
    static func composerStatus(_ item: SharedMitigation) -> String {
        if let kept = item.threatComposer?.status, mitigationStatusTable[kept.lowercased()] == item.status { return kept }
        return exportStatus(item.status)
    }

    /// The Threat Composer id a threat is exported with.
    static func threatComposerID(_ threat: Threat) -> String {
        threat.threatComposer?.id ?? uuid("threat:" + threat.id)
    }
}
