import Foundation
import ThreatModel

/// Threat Composer export: the model as a schema 1 document.
extension ThreatComposer {
    /// A Threat Composer document for the model. Values Threat Composer cannot hold (owners,
    /// reviews, evidence, exact severity and status, the body) go into `custom:` metadata.
    public static func export(model: Model, name: String) -> (JSON, [String]) {
        var notes: [String] = []
        var threats: [JSON] = []
        var mitigations: [JSON] = []
        var links: [JSON] = []
        let catalog = exportCatalog(model: model)
        notes += catalog.notes
        // A threat's own mitigations are numbered after the catalog's, so numbers stay unique.
        var mitigationNumber = model.sharedMitigations.map { $0.threatComposer?.numericID ?? Model.idNumber($0.id) ?? 0 }.max() ?? 0
        for threat in model.threats {
            let composerID = threat.threatComposer?.id ?? uuid("threat:" + threat.id)
            let numeric = threat.threatComposer?.numericID ?? Model.idNumber(threat.id) ?? 0
            var metadata: [JSON] = []
            func custom(_ key: String, _ value: String?) {
                if let value { metadata.append(.object([("key", .string("custom:" + key)), ("value", .string(value))])) }
            }
            func customList(_ key: String, _ values: [String]) {
                if !values.isEmpty { metadata.append(.object([("key", .string("custom:" + key)), ("value", .strings(values))])) }
            }
            let priority: String
            switch threat.severity {
            case .critical?, .high?: priority = "High"
            case .medium?: priority = "Medium"
            default: priority = "Low"
            }
            metadata.append(.object([("key", .string("Priority")), ("value", .string(priority))]))
            metadata.append(.object([("key", .string("STRIDE")), ("value", .strings(threat.stride.map(\.letter)))]))
            custom("tmrepo-id", threat.id)
            custom("title", threat.title)
            customList("stride", threat.stride.map(\.rawValue))
            custom("severity", threat.severity?.rawValue)
            custom("status", threat.status?.rawValue)
            custom("owner", threat.owner)
            custom("review-every", threat.reviewEvery?.description)
            custom("reviewed-on", threat.reviewed?.on?.description)
            custom("reviewed-by", threat.reviewed?.by)
            custom("element", threat.element)
            customList("assets", threat.assets)
            custom("body", threat.body)
            for (key, values) in (threat.threatComposer?.custom ?? [:]).sorted(by: { $0.key < $1.key }) where key.count <= 50 {
                metadata.append(.object([("key", .string(key)), ("value", values.count == 1 ? .string(values[0]) : .strings(values))]))
            }
            var tags: [String] = []
            for tag in threat.tags {
                if tag.count > 30 { notes.append("\(threat.id): tag '\(tag)' is longer than Threat Composer's 30 characters; kept in custom:tags") }
                tags.append(String(tag.prefix(30)))
            }
            if tags != threat.tags { customList("tags", threat.tags) }
            let statement = threat.statement
            func capped(_ text: String?, _ field: String) -> JSON? {
                guard let text, !text.isEmpty else { return nil }
                if text.count > 200 { notes.append("\(threat.id): threat.\(field) cut to Threat Composer's 200 characters") }
                return .string(String(text.prefix(200)))
            }
            var pairs: [(String, JSON)] = [("id", .string(composerID)), ("numericId", .int(numeric)), ("displayOrder", .int(numeric)),
                                           ("metadata", .array(metadata)), ("tags", .strings(tags))]
            for (key, field, value) in [("threatSource", "source", statement?.source), ("prerequisites", "prerequisites", statement?.prerequisites),
                                        ("threatAction", "action", statement?.action), ("threatImpact", "impact", statement?.impact)] {
                if let json = capped(value, field) { pairs.append((key, json)) }
            }
            if let goals = statement?.impactedGoal, !goals.isEmpty { pairs.append(("impactedGoal", .strings(goals.map { String($0.prefix(200)) }))) }
            if let assets = statement?.impactedAssets, !assets.isEmpty { pairs.append(("impactedAssets", .strings(assets.map { String($0.prefix(200)) }))) }
            pairs.append(("statement", .string(String((threat.threatComposer?.statement ?? composedStatement(threat)).prefix(1400)))))
            let status: String
            switch threat.status {
            case .mitigated?, .accepted?, .transferred?: status = "threatResolved"
            case .closed?: status = "threatResolvedNotUseful"
            default: status = "threatIdentified"
            }
            pairs.append(("status", .string(status)))
            threats.append(.object(pairs))

            for mitigation in threat.mitigations {
                if let ref = mitigation.ref {
                    // A shared mitigation: written once with the catalog, linked from every threat.
                    if let shared = model.sharedMitigation(id: ref) {
                        links.append(.object([("mitigationId", .string(Self.composerID(shared.threatComposer, id: shared.id))),
                                              ("linkedId", .string(composerID))]))
                    } else {
                        notes.append("\(threat.id): ref \(ref) names no shared mitigation; left out")
                    }
                    continue
                }
                mitigationNumber += 1
                let mitigationID = uuid("mitigation:" + threat.id + "/" + mitigation.id)
                var meta: [JSON] = []
                func mcustom(_ key: String, _ value: String?) {
                    if let value { meta.append(.object([("key", .string("custom:" + key)), ("value", .string(value))])) }
                }
                mcustom("tmrepo-mitigation-id", mitigation.id)
                mcustom("title", mitigation.title)
                mcustom("status", mitigation.status?.rawValue)
                mcustom("owner", mitigation.owner)
                if !mitigation.evidence.isEmpty { meta.append(.object([("key", .string("custom:evidence")), ("value", .strings(mitigation.evidence))])) }
                mcustom("verified", mitigation.verified?.description)
                let mitigationStatus: String
                switch mitigation.status {
                case .implemented?, .verified?: mitigationStatus = "mitigationResolved"
                case .dropped?: mitigationStatus = "mitigationResolvedWillNotAction"
                default: mitigationStatus = "mitigationIdentified"
                }
                mitigations.append(.object([("id", .string(mitigationID)), ("numericId", .int(mitigationNumber)),
                                            ("displayOrder", .int(mitigationNumber)), ("metadata", .array(meta)),
                                            ("content", .string(String(mitigation.title.prefix(1000)))), ("status", .string(mitigationStatus))]))
                links.append(.object([("mitigationId", .string(mitigationID)), ("linkedId", .string(composerID))]))
            }
        }
        let document = JSON.object([
            ("schema", .int(1)),
            ("applicationInfo", .object([("name", .string(String(name.prefix(200)))), ("description", .string("Exported by tmrepo from the threat model at \(name)."))])),
            ("assumptions", .array(catalog.assumptions)), ("mitigations", .array(catalog.mitigations + mitigations)),
            ("assumptionLinks", .array(catalog.assumptionLinks)),
            ("mitigationLinks", .array(links)), ("threats", .array(threats)),
        ])
        return (document, notes)
    }

    /// "An internet-based actor with … can …, which leads to …, resulting in reduced … of …".
    static func composedStatement(_ threat: Threat) -> String {
        composedStatement(threat.statement) ?? threat.title
    }

    /// The statement Threat Composer composes from the grammar; nil without a source and an action.
    static func composedStatement(_ statement: ThreatStatement?) -> String? {
        guard let statement, let source = statement.source, let action = statement.action else { return nil }
        var text = source.prefix(1).uppercased() + source.dropFirst()
        if let prerequisites = statement.prerequisites { text += " " + prerequisites }
        text += " can " + action
        if let impact = statement.impact { text += ", which leads to " + impact }
        if !statement.impactedGoal.isEmpty { text += ", resulting in reduced " + statement.impactedGoal.joined(separator: " and ") }
        if !statement.impactedAssets.isEmpty { text += " of " + statement.impactedAssets.joined(separator: " and ") }
        return text
    }

    /// A stable UUID-shaped id (8-4-4-4-12 hex, version 5 layout) derived from a name, so exports
    /// are reproducible and re-exports keep ids.
    static func uuid(_ name: String) -> String {
        let hex = ContentHash.sha256(name.utf8).prefix(16).map { String(format: "%02x", $0) }.joined()
        var chars = Array(hex)
        chars[12] = "5"
        chars[16] = ["8", "9", "a", "b"][Int(String(chars[16]), radix: 16)! % 4]
        let text = String(chars)
        return [text.prefix(8), text.dropFirst(8).prefix(4), text.dropFirst(12).prefix(4), text.dropFirst(16).prefix(4), text.dropFirst(20)]
            .map(String.init).joined(separator: "-")
    }
}
