import Foundation
import ThreatModel

/// AWS Threat Composer (`.tc.json`, schema 1) import and export. Threat Composer has no place for
/// owners, reviews, evidence or exact severities; tmrepo carries them in `custom:` metadata on
/// the way out and reads them back on the way in, so a round trip loses nothing.
public enum ThreatComposer {
    public struct ImportPlan {
        public struct File {
            public let path: String
            public let bytes: [UInt8]
            public let threatID: String
            public let composerID: String
        }

        public var files: [File] = []
        /// Threat Composer threats not imported, and why (e.g. already imported as T-0004).
        public var skipped: [(composerID: String, reason: String)] = []
        /// What could not be mapped, per threat or for the whole file.
        public var notes: [String] = []
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    // MARK: - Import

    /// Plans the import of a `.tc.json` document into a model: one threat file per threat, new ids
    /// after every id in use, threats imported before (same Threat Composer id) skipped.
    public static func planImport(_ data: Data, model: Model, firstID: Int, idWidth: Int, owner: String?) throws -> ImportPlan {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw Failure(description: "not a Threat Composer file: not valid JSON (or nested too deeply)")
        }
        guard let parsed = root as? [String: Any], let document = try clean(parsed, at: "") as? [String: Any] else {
            throw Failure(description: "not a Threat Composer file: the JSON root is not an object")
        }
        guard document["schema"] as? Int == 1 || document["schema"] as? Double == 1 else {
            throw Failure(description: "unsupported Threat Composer schema \(String(describing: document["schema"] ?? "missing")) (tmrepo reads schema 1)")
        }
        let config = model.config
        var plan = ImportPlan()
        let threats = ((document["threats"] as? [[String: Any]]) ?? []).sorted { number($0["numericId"]) < number($1["numericId"]) }
        let mitigations = Dictionary(((document["mitigations"] as? [[String: Any]]) ?? []).compactMap { item in
            (item["id"] as? String).map { ($0, item) }
        }, uniquingKeysWith: { first, _ in first })
        let mitigationLinks = (document["mitigationLinks"] as? [[String: Any]]) ?? []
        let assumptions = Dictionary(((document["assumptions"] as? [[String: Any]]) ?? []).compactMap { item in
            (item["id"] as? String).map { ($0, item) }
        }, uniquingKeysWith: { first, _ in first })
        let assumptionLinks = (document["assumptionLinks"] as? [[String: Any]]) ?? []
        if (document["architecture"] as? [String: Any])?["image"] != nil || (document["dataflow"] as? [String: Any])?["image"] != nil {
            plan.notes.append("architecture and data-flow diagram images are not imported (describe elements in elements.yml)")
        }
        let known = Dictionary(model.threats.compactMap { threat in threat.threatComposer.map { ($0.id, threat.id) } },
                               uniquingKeysWith: { first, _ in first })
        var next = firstID
        for item in threats {
            guard let composerID = item["id"] as? String else {
                plan.skipped.append(("?", "a threat without an id"))
                continue
            }
            if let existing = known[composerID] {
                plan.skipped.append((composerID, "already imported as \(existing)"))
                continue
            }
            let metadata = Metadata(item["metadata"])
            let id = metadata.string("custom:tmrepo-id").flatMap { candidate in
                model.threat(id: candidate) == nil && ThreatParser.isValidID(candidate, prefix: config.idPrefix) ? candidate : nil
            } ?? (config.idPrefix + String(next).leftPadded(to: idWidth))
            if id.hasPrefix(config.idPrefix), let number = Model.idNumber(id) { next = max(next, number + 1) }
            let linked = mitigationLinks.filter { $0["linkedId"] as? String == composerID }.compactMap { link in
                (link["mitigationId"] as? String).flatMap { mitigations[$0] }
            }.sorted { number($0["numericId"]) < number($1["numericId"]) }
            let linkedAssumptions = assumptionLinks.filter { $0["linkedId"] as? String == composerID }.compactMap { link in
                (link["assumptionId"] as? String).flatMap { assumptions[$0] }
            }
            let (text, notes) = renderThreat(id: id, composerID: composerID, item: item, metadata: metadata, mitigations: linked,
                                             assumptions: linkedAssumptions, owner: owner)
            plan.notes += notes.map { "\(id): \($0)" }
            let title = titleOf(item, metadata: metadata)
            let path = config.threatsDirectory + id + "-" + ThreatTemplate.slug(title) + ".md"
            plan.files.append(ImportPlan.File(path: path, bytes: Array(text.utf8), threatID: id, composerID: composerID))
        }
        return plan
    }

    static func number(_ value: Any?) -> Int {
        (value as? Int) ?? (value as? Double).flatMap { Int(exactly: $0) } ?? Int.max
    }

    /// The most text one imported string may hold; longer is refused rather than written into a threat file.
    static let maximumTextBytes = 1 << 20
    /// Keys whose numbers tmrepo turns into integers.
    static let integerKeys: Set = ["numericId", "displayOrder"]
    static let maximumInteger = 999_999_999

    /// The document as tmrepo reads it: control characters dropped from every string (tabs and
    /// newlines kept, CR LF made LF), and every integer field a whole number in range. Anything
    /// it cannot clean is an error naming the JSON path, so no value from the file can trap later.
    static func clean(_ value: Any, at path: String) throws -> Any {
        if let text = value as? String {
            guard text.utf8.count <= maximumTextBytes else {
                throw Failure(description: "\(path): \(text.utf8.count) bytes of text, more than the \(maximumTextBytes) tmrepo imports")
            }
            return withoutControlCharacters(text)
        }
        if let object = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, item) in object {
                let itemPath = path.isEmpty ? key : "\(path).\(key)"
                if integerKeys.contains(key) {
                    guard let whole = (item as? Double).flatMap({ Int(exactly: $0) }) ?? (item as? Int),
                          (0...maximumInteger).contains(whole) else {
                        throw Failure(description: "\(itemPath): \(item) is not a whole number from 0 to \(maximumInteger)")
                    }
                    out[withoutControlCharacters(key)] = whole
                } else {
                    out[withoutControlCharacters(key)] = try clean(item, at: itemPath)
                }
            }
            return out
        }
        if let array = value as? [Any] {
            return try array.enumerated().map { index, item in try clean(item, at: "\(path)[\(index)]") }
        }
        return value
    }

    static func withoutControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n" && previous == "\r" { continue }
            if scalar == "\r" { out.append("\n"); continue }
            if isControl(scalar) && scalar != "\n" && scalar != "\t" { continue }
            out.append(scalar)
        }
        return String(out)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Threat Composer metadata: a list of {key, value} with string or string-list values.
    struct Metadata {
        var entries: [(key: String, values: [String])] = []

        init(_ raw: Any?) {
            for item in (raw as? [[String: Any]]) ?? [] {
                guard let key = item["key"] as? String else { continue }
                if let text = item["value"] as? String {
                    entries.append((key, [text]))
                } else if let list = item["value"] as? [String] {
                    entries.append((key, list))
                }
            }
        }

        func values(_ key: String) -> [String]? { entries.first { $0.key == key }?.values }
        func string(_ key: String) -> String? { values(key)?.first }
    }

    static let consumedCustomKeys: Set = ["custom:tmrepo-id", "custom:severity", "custom:status", "custom:owner", "custom:reviewed-on",
                                          "custom:reviewed-by", "custom:review-every", "custom:element", "custom:assets", "custom:body",
                                          "custom:title", "custom:tags", "custom:stride"]

    static func oneLine(_ text: String, limit: Int = 160) -> String {
        let flat = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" }).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        guard flat.count > limit else { return flat }
        let cut = flat.prefix(limit)
        let end = cut.lastIndex(of: " ") ?? cut.endIndex
        return String(cut[..<end]) + "…"
    }

    static func titleOf(_ item: [String: Any], metadata: Metadata) -> String {
        // Blank text is no title: fall through to the next source.
        if let title = metadata.string("custom:title").map({ oneLine($0, limit: .max) }), !title.isEmpty { return title }
        if let statement = item["statement"] as? String, case let line = oneLine(statement), !line.isEmpty { return line }
        let parts = [item["threatSource"], item["threatAction"]].compactMap { ($0 as? String).map { oneLine($0) } }.filter { !$0.isEmpty }
        return parts.isEmpty ? "Imported threat" : oneLine(parts.joined(separator: " can "))
    }

    /// The threat file for one Threat Composer threat, and what could not be mapped.
    static func renderThreat(id: String, composerID: String, item: [String: Any], metadata: Metadata,
                             mitigations: [[String: Any]], assumptions: [[String: Any]], owner: String?) -> (String, [String]) {
        var notes: [String] = []
        func scalar(_ value: String) -> String { YAMLScalar.render(value) }
        func list(_ values: [String]) -> String { "[" + values.map { YAMLScalar.isPlainSafe($0) && !$0.contains(",") ? $0 : YAMLScalar.quoted($0) }.joined(separator: ", ") + "]" }

        var stride = (metadata.values("custom:stride") ?? []).compactMap(StrideCategory.init(rawValue:))
        if stride.isEmpty {
            let letters = metadata.values("STRIDE") ?? []
            stride = StrideCategory.allCases.filter { letters.contains($0.letter) }
        }
        if stride.isEmpty {
            let goals = ((item["impactedGoal"] as? [String]) ?? []).map { $0.lowercased() }
            if goals.contains("confidentiality") { stride.append(.informationDisclosure) }
            if goals.contains("integrity") { stride.append(.tampering) }
            if goals.contains("availability") { stride.append(.denialOfService) }
            notes.append(stride.isEmpty ? "no STRIDE metadata and no impacted goal to infer it from: set stride by hand"
                                        : "no STRIDE metadata; inferred \(stride.map(\.letter).joined()) from the impacted goals")
        }
        var severity = metadata.string("custom:severity").flatMap(Severity.init(rawValue:))
        if severity == nil {
            switch metadata.string("Priority") {
            case "High": severity = .high
            case "Medium": severity = .medium
            case "Low": severity = .low
            default:
                severity = .medium
                notes.append("no Priority; severity set to medium")
            }
        }
        var status = metadata.string("custom:status").flatMap(ThreatStatus.init(rawValue:))
        if status == nil {
            switch item["status"] as? String {
            case "threatResolved": status = .mitigated
            case "threatResolvedNotUseful": status = .closed
            default: status = .open
            }
        }
        let threatOwner = metadata.string("custom:owner") ?? owner
        if threatOwner == nil && status!.needsOwner { notes.append("no owner (pass --owner, or set owner: by hand)") }

        var lines = ["---", "id: \(id)", "title: \(scalar(titleOf(item, metadata: metadata)))", "stride: \(list(stride.map(\.rawValue)))"]
        if let element = metadata.string("custom:element") { lines.append("element: \(scalar(element))") }
        if let assets = metadata.values("custom:assets"), !assets.isEmpty { lines.append("assets: \(list(assets))") }
        lines += ["severity: \(severity!.rawValue)", "status: \(status!.rawValue)", "owner:" + (threatOwner.map { " " + scalar($0) } ?? "")]
        if let every = metadata.string("custom:review-every") { lines.append("review_every: \(scalar(every))") }
        if let on = metadata.string("custom:reviewed-on") {
            lines += ["reviewed:", "  on: \(scalar(on))"]
            if let by = metadata.string("custom:reviewed-by") { lines.append("  by: \(scalar(by))") }
        }
        var longMitigations: [String] = []
        var mitigationNotes: [String] = []
        if !mitigations.isEmpty {
            lines.append("mitigations:")
            for (index, mitigation) in mitigations.enumerated() {
                let meta = Metadata(mitigation["metadata"])
                let content = (mitigation["content"] as? String) ?? ""
                let title = meta.string("custom:title") ?? oneLine(content)
                if meta.string("custom:title") == nil && oneLine(content, limit: .max) != title { longMitigations.append(content) }
                if let comments = meta.string("Comments") {
                    mitigationNotes.append("- **M-\(index + 1)** \(title): " + comments.trimmingCharacters(in: .whitespacesAndNewlines)
                        .replacingOccurrences(of: "\n\n", with: " ").replacingOccurrences(of: "\n", with: " "))
                }
                let mitigationStatus: MitigationStatus = meta.string("custom:status").flatMap(MitigationStatus.init(rawValue:)) ?? {
                    switch mitigation["status"] as? String {
                    case "mitigationResolved": .implemented
                    case "mitigationResolvedWillNotAction": .dropped
                    default: .planned
                    }
                }()
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
        if grammar.contains(where: { ($0.1 as? String).map { !$0.isEmpty } ?? (($0.1 as? [String]).map { !$0.isEmpty } ?? false) }) {
            lines.append("threat:")
            for (key, value) in grammar {
                if let text = value as? String, !text.isEmpty { lines.append("  \(key): \(scalar(oneLine(text, limit: .max)))") }
                if let values = value as? [String], !values.isEmpty { lines.append("  \(key): \(list(values))") }
            }
        }
        let tags = metadata.values("custom:tags") ?? (item["tags"] as? [String]) ?? []
        if !tags.isEmpty { lines.append("tags: \(list(tags))") }
        lines += ["threat_composer:", "  id: \(scalar(composerID))"]
        if let numeric = item["numericId"] { lines.append("  numeric_id: \(number(numeric))") }
        // In key order, as the export writes them, so a round trip gives the same bytes.
        let custom = metadata.entries.filter { $0.key.hasPrefix("custom:") && !consumedCustomKeys.contains($0.key) }.sorted { $0.key < $1.key }
        if !custom.isEmpty {
            lines.append("  custom:")
            for (key, values) in custom { lines.append("    \(scalar(key)): \(list(values))") }
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
                    let comment = Metadata(assumption["metadata"]).string("Comments").map { " — " + $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
                    return "- \(content)\(comment)"
                }
                parts.append("## Assumptions\n\n" + items.joined(separator: "\n") + "\n")
            }
            body = "\n" + parts.joined(separator: "\n")
        }
        // The body is everything after the closing '---' line, kept exactly.
        return (lines.joined(separator: "\n") + "\n" + body, notes)
    }

    // MARK: - Export

    /// A Threat Composer document for the model. Values Threat Composer cannot hold (owners,
    /// reviews, evidence, exact severity and status, the body) go into `custom:` metadata.
    public static func export(model: Model, name: String) -> (JSON, [String]) {
        var notes: [String] = []
        var threats: [JSON] = []
        var mitigations: [JSON] = []
        var links: [JSON] = []
        var mitigationNumber = 0
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
            pairs.append(("statement", .string(String(composedStatement(threat).prefix(1400)))))
            let status: String
            switch threat.status {
            case .mitigated?, .accepted?, .transferred?: status = "threatResolved"
            case .closed?: status = "threatResolvedNotUseful"
            default: status = "threatIdentified"
            }
            pairs.append(("status", .string(status)))
            threats.append(.object(pairs))

            for mitigation in threat.mitigations {
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
            ("assumptions", .array([])), ("mitigations", .array(mitigations)), ("assumptionLinks", .array([])),
            ("mitigationLinks", .array(links)), ("threats", .array(threats)),
        ])
        return (document, notes)
    }

    /// "An internet-based actor with … can …, which leads to …, resulting in reduced … of …".
    static func composedStatement(_ threat: Threat) -> String {
        guard let statement = threat.statement, let source = statement.source, let action = statement.action else { return threat.title }
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
