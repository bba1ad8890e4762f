import Foundation
import ThreatModel

/// Reading a `.tc.json` document as hostile input: every value tmrepo maps is checked here, and
/// anything it cannot map is an error naming the JSON path — nothing is guessed silently.
extension ThreatComposer {
    /// A threat of the document with where it sits (`$.threats[3]`).
    struct SourceThreat {
        let path: String
        let item: [String: Any]
        let metadata: Metadata
    }

    /// The checked document: threats sorted by `numericId`, mitigations and assumptions by id.
    struct Document {
        var threats: [SourceThreat] = []
        var mitigations: [String: (path: String, item: [String: Any])] = [:]
        var mitigationLinks: [[String: Any]] = []
        var assumptions: [String: (path: String, item: [String: Any])] = [:]
        var assumptionLinks: [[String: Any]] = []
        var hasDiagrams = false
        var notes: [String] = []
    }

    static let integerKeys: Set = ["numericId", "displayOrder"]

    /// Parses and checks the whole document before anything is planned.
    static func readDocument(_ data: Data) throws -> Document {
        let options = InteropJSON.Options(integerKeys: integerKeys, dropped: ["$.architecture.image", "$.dataflow.image"])
        let (root, notes) = try InteropJSON.read(data, format: "Threat Composer", options: options)
        guard root["schema"] as? Int == 1 || root["schema"] as? Double == 1 else {
            throw InteropError(at: "$.schema", "unsupported Threat Composer schema \(String(describing: root["schema"] ?? "missing")) (tmrepo reads schema 1)")
        }
        var document = Document(notes: notes)
        document.hasDiagrams = (root["architecture"] as? [String: Any])?["image"] != nil || (root["dataflow"] as? [String: Any])?["image"] != nil

        func list(_ key: String) throws -> [Any] {
            guard let value = root[key], !(value is NSNull) else { return [] }
            guard let items = value as? [Any] else { throw InteropError(at: "$.\(key)", "expected a list") }
            return items
        }
        func objects(_ key: String) throws -> [(String, [String: Any])] {
            try list(key).enumerated().map { offset, value in
                let path = "$.\(key)[\(offset)]"
                guard let object = value as? [String: Any] else { throw InteropError(at: path, "expected an object") }
                return (path, object)
            }
        }

        var seen: [String: String] = [:]
        var threats: [SourceThreat] = []
        for (path, item) in try objects("threats") {
            guard let id = item["id"] as? String, !InteropJSON.isBlank(id) else { throw InteropError(at: path + ".id", "a threat needs an id") }
            if let first = seen[id] { throw InteropError(at: path + ".id", "'\(id)' is also the id of \(first)") }
            seen[id] = path
            let threat = SourceThreat(path: path, item: item, metadata: try Metadata(item["metadata"], at: path + ".metadata"))
            try check(threat)
            threats.append(threat)
        }
        document.threats = threats.sorted { number($0.item["numericId"]) < number($1.item["numericId"]) }
        for (path, item) in try objects("mitigations") {
            guard let id = item["id"] as? String else { throw InteropError(at: path + ".id", "a mitigation needs an id") }
            let metadata = try Metadata(item["metadata"], at: path + ".metadata")
            _ = try mitigationStatus(item, metadata: metadata, at: path)
            if document.mitigations[id] == nil { document.mitigations[id] = (path, item) }
        }
        for (path, item) in try objects("assumptions") {
            guard let id = item["id"] as? String, !InteropJSON.isBlank(id) else { throw InteropError(at: path + ".id", "an assumption needs an id") }
            _ = try Metadata(item["metadata"], at: path + ".metadata")
            if let content = item["content"], !(content is String) { throw InteropError(at: path + ".content", "expected text") }
            if document.assumptions[id] == nil { document.assumptions[id] = (path, item) }
        }
        document.mitigationLinks = try objects("mitigationLinks").map(\.1)
        document.assumptionLinks = try objects("assumptionLinks").map(\.1)
        return document
    }

    static func number(_ value: Any?) -> Int {
        (value as? Int) ?? Int.max
    }

    /// Checks one threat: text to make a title from, a known status, priority and STRIDE letters.
    static func check(_ threat: SourceThreat) throws {
        let item = threat.item
        let hasStatement = !InteropJSON.isBlank(item["statement"] as? String)
        let hasTitle = !InteropJSON.isBlank(threat.metadata.string("custom:title"))
        let hasAction = !InteropJSON.isBlank(item["threatAction"] as? String)
        if !hasStatement && !hasTitle && !hasAction {
            throw InteropError(at: threat.path + ".statement", "the threat has no text: its statement is \(item["statement"] == nil ? "missing" : "blank") and it has no threatAction to compose one from")
        }
        for key in ["statement", "threatSource", "prerequisites", "threatAction", "threatImpact"] {
            if let value = item[key], !(value is String), !(value is NSNull) { throw InteropError(at: "\(threat.path).\(key)", "expected text") }
        }
        _ = try status(threat)
        _ = try severity(threat)
        _ = try stride(threat)
    }

    /// The tmrepo status: `custom:status` (a tmrepo export), else Threat Composer's `status` in any
    /// case; none is open (older files have none); anything else is an error.
    static func status(_ threat: SourceThreat) throws -> ThreatStatus {
        if let entry = threat.metadata.entry("custom:status") {
            guard let text = entry.values.first, let status = ThreatStatus(rawValue: text.lowercased()) else {
                throw InteropError(at: entry.path, "'\(entry.values.first ?? "")' is not a tmrepo status (\(ThreatStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return status
        }
        guard let raw = threat.item["status"], !(raw is NSNull) else { return .open }
        let table: [String: ThreatStatus] = ["threatidentified": .open, "threatresolved": .mitigated, "threatresolvednotuseful": .closed]
        guard let text = raw as? String, let status = table[text.lowercased()] else {
            throw InteropError(at: threat.path + ".status", "'\(raw)' is not a Threat Composer threat status (threatIdentified, threatResolved, threatResolvedNotUseful)")
        }
        return status
    }

    /// The severity: `custom:severity`, else `Priority` in any case (Critical, High, Medium, Low,
    /// Info/Informational); nil when neither is there. Anything else is an error.
    static func severity(_ threat: SourceThreat) throws -> Severity? {
        if let entry = threat.metadata.entry("custom:severity") {
            guard entry.values.count == 1, let severity = Severity(rawValue: entry.values[0].lowercased()) else {
                throw InteropError(at: entry.path, "'\(entry.values.joined(separator: ", "))' is not a severity (\(Severity.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return severity
        }
        guard let entry = threat.metadata.entry("Priority") else { return nil }
        let table: [String: Severity] = ["critical": .critical, "high": .high, "medium": .medium, "low": .low, "info": .info, "informational": .info]
        guard entry.values.count == 1, let severity = table[entry.values[0].trimmingCharacters(in: .whitespaces).lowercased()] else {
            throw InteropError(at: entry.path, "'\(entry.values.joined(separator: ", "))' is not a priority tmrepo knows (High, Medium, Low; also Critical and Info, in any case)")
        }
        return severity
    }

    /// The STRIDE categories the file states (`custom:stride`, else `STRIDE` letters in any case);
    /// nil when it states none.
    static func stride(_ threat: SourceThreat) throws -> [StrideCategory]? {
        if let entry = threat.metadata.entry("custom:stride") {
            var out: [StrideCategory] = []
            for (offset, name) in entry.values.enumerated() {
                guard let category = StrideCategory(rawValue: name) else {
                    throw InteropError(at: entry.values.count == 1 ? entry.path : "\(entry.path)[\(offset)]", "'\(name)' is not a STRIDE category (\(StrideCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                if !out.contains(category) { out.append(category) }
            }
            if !out.isEmpty { return out }
        }
        guard let entry = threat.metadata.entry("STRIDE") else { return nil }
        var letters: [StrideCategory] = []
        for (offset, letter) in entry.values.enumerated() {
            guard let category = StrideCategory.allCases.first(where: { $0.letter == letter.trimmingCharacters(in: .whitespaces).uppercased() }) else {
                throw InteropError(at: entry.values.count == 1 && !entry.isList ? entry.path : "\(entry.path)[\(offset)]", "'\(letter)' is not a STRIDE letter (S, T, R, I, D, E)")
            }
            if !letters.contains(category) { letters.append(category) }
        }
        // In the file's order, so that an export gives the same letters back.
        return letters.isEmpty ? nil : letters
    }

    /// A mitigation's status: `custom:status`, else Threat Composer's in any case; none is planned.
    static func mitigationStatus(_ item: [String: Any], metadata: Metadata, at path: String) throws -> MitigationStatus {
        if let entry = metadata.entry("custom:status") {
            guard let text = entry.values.first, let status = MitigationStatus(rawValue: text.lowercased()) else {
                throw InteropError(at: entry.path, "'\(entry.values.first ?? "")' is not a tmrepo mitigation status (\(MitigationStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return status
        }
        guard let raw = item["status"], !(raw is NSNull) else { return .planned }
        let table: [String: MitigationStatus] = ["mitigationidentified": .planned, "mitigationinprogress": .planned,
                                                 "mitigationresolved": .implemented, "mitigationresolvedwillnotaction": .dropped]
        guard let text = raw as? String, let status = table[text.lowercased()] else {
            throw InteropError(at: path + ".status", "'\(raw)' is not a Threat Composer mitigation status (mitigationIdentified, mitigationInProgress, mitigationResolved, mitigationResolvedWillNotAction)")
        }
        return status
    }

    /// Threat Composer metadata: a list of {key, value} with string or string-list values, each
    /// entry with its JSON path for error messages.
    struct Metadata {
        struct Entry {
            let key: String
            let values: [String]
            let isList: Bool
            /// `$.threats[3].metadata[1].value`
            let path: String
        }

        var entries: [Entry] = []

        init(_ raw: Any?, at path: String) throws {
            guard let raw, !(raw is NSNull) else { return }
            guard let items = raw as? [Any] else { throw InteropError(at: path, "expected a list of {key, value}") }
            for (offset, value) in items.enumerated() {
                let itemPath = "\(path)[\(offset)]"
                guard let item = value as? [String: Any] else { throw InteropError(at: itemPath, "expected {key, value}") }
                guard let key = item["key"] as? String else { throw InteropError(at: itemPath + ".key", "expected text") }
                if let text = item["value"] as? String {
                    entries.append(Entry(key: key, values: [text], isList: false, path: itemPath + ".value"))
                } else if let list = item["value"] as? [Any] {
                    let texts = list.compactMap { $0 as? String }
                    guard texts.count == list.count else { throw InteropError(at: itemPath + ".value", "expected text or a list of text") }
                    entries.append(Entry(key: key, values: texts, isList: true, path: itemPath + ".value"))
                } else {
                    throw InteropError(at: itemPath + ".value", "expected text or a list of text")
                }
            }
        }

        func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }
        func values(_ key: String) -> [String]? { entry(key)?.values }
        func string(_ key: String) -> String? { values(key)?.first }
    }
}
