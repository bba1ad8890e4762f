import Foundation
import ThreatModel

/// Open Threat Model (OTM 0.2.0, IriusRisk's open format) import and export.
///
/// OTM holds facts tmrepo has no field for (the project, trust zone ids and ratings, component
/// types, threat ids and risk numbers, mitigation descriptions and risk reduction); they are kept
/// in `.tmrepo/otm.json` (`Sidecar`) so that OTM → tmrepo → OTM keeps them.
///
/// One idea per file: OpenThreatModelValidation (reading a document as hostile input),
/// OpenThreatModelImport (document → elements and threat files), OpenThreatModelExport (model → document).
public enum OpenThreatModel {
    public static let version = "0.2.0"
    /// Where the facts OTM has and tmrepo does not are kept, relative to the model root.
    public static let sidecarPath = ".tmrepo/otm.json"

    public struct ImportPlan {
        public struct File {
            public let path: String
            public let bytes: [UInt8]
        }

        /// New threat files.
        public var threatFiles: [File] = []
        /// elements.yml with the new elements appended (nil: unchanged).
        public var elementsFile: File?
        /// The updated sidecar.
        public var sidecar: File?
        public var elementsAdded: [String] = []
        public var skipped: [(id: String, reason: String)] = []
        public var notes: [String] = []
        /// Threats to be written that need an owner and have none (see `ThreatComposer.ImportPlan.ownerless`).
        public var ownerless: [String] = []
    }

    /// What OTM has and tmrepo has no field for, kept beside the model for the way back.
    public struct Sidecar: Codable, Equatable, Sendable {
        public struct Project: Codable, Equatable, Sendable {
            public var id: String
            public var name: String
            public var description: String?
        }

        public struct Zone: Codable, Equatable, Sendable {
            public var id: String
            public var name: String
            public var type: String?
            public var trustRating: Int
        }

        public struct Component: Codable, Equatable, Sendable {
            public var type: String?
            /// Tags other than the ones tmrepo writes itself (kind:…, resource:…).
            public var tags: [String]?
            public var parentComponent: String?
            public var bidirectional: Bool?
        }

        public struct ThreatFacts: Codable, Equatable, Sendable {
            /// The OTM threat id.
            public var id: String
            public var likelihood: Int?
            public var impact: Int?
            public var cwes: [String]?
            /// Components and flows referencing the threat besides its element.
            public var alsoOn: [String]?
            /// Per component or flow, the mitigations its reference lists when that is not all of the
            /// threat's (tmrepo keeps one mitigation list per threat).
            public var referenceMitigations: [String: [String]]?
        }

        public struct MitigationFacts: Codable, Equatable, Sendable {
            public var name: String?
            public var description: String?
            public var riskReduction: Int
        }

        public var version = 1
        public var project: Project?
        public var trustZones: [Zone] = []
        /// By element id.
        public var components: [String: Component] = [:]
        /// By tmrepo threat id.
        public var threats: [String: ThreatFacts] = [:]
        /// By OTM mitigation id (which is the tmrepo mitigation id of imported mitigations).
        public var mitigations: [String: MitigationFacts] = [:]

        public init() {}

        public static func decode(_ bytes: [UInt8]) throws -> Sidecar {
            do {
                return try JSONDecoder().decode(Sidecar.self, from: Data(bytes))
            } catch {
                throw InteropError("\(sidecarPath) cannot be read (\(error)); fix or delete it (export then derives what it held)")
            }
        }

        public func encoded() -> [UInt8] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return Array((try? encoder.encode(self)) ?? Data("{}".utf8)) + [0x0A]
        }
    }

    // MARK: - Vocabulary

    /// OTM category names for the STRIDE categories.
    static func categoryName(_ category: StrideCategory) -> String {
        switch category {
        case .spoofing: "Spoofing"
        case .tampering: "Tampering"
        case .repudiation: "Repudiation"
        case .informationDisclosure: "Information Disclosure"
        case .denialOfService: "Denial of Service"
        case .elevationOfPrivilege: "Elevation of Privilege"
        }
    }

    /// A category as other tools write it: "Spoofing", "information-disclosure", "Elevation of
    /// Privileges", "S"; nil for categories outside STRIDE.
    static func category(_ name: String) -> StrideCategory? {
        let key = name.lowercased().filter { $0.isLetter }
        let table: [String: StrideCategory] = [
            "s": .spoofing, "spoofing": .spoofing, "spoof": .spoofing,
            "t": .tampering, "tampering": .tampering,
            "r": .repudiation, "repudiation": .repudiation,
            "i": .informationDisclosure, "informationdisclosure": .informationDisclosure, "disclosure": .informationDisclosure,
            "d": .denialOfService, "denialofservice": .denialOfService, "dos": .denialOfService,
            "e": .elevationOfPrivilege, "elevationofprivilege": .elevationOfPrivilege, "elevationofprivileges": .elevationOfPrivilege,
        ]
        return table[key]
    }

    /// Threat reference `state` → tmrepo status, in any case and spelling (letters only compared).
    static let threatStates: [String: ThreatStatus] = [
        "exposed": .open, "expose": .open, "open": .open, "autogenerated": .open, "identified": .open, "new": .open,
        "needsinvestigation": .open, "notmitigated": .open, "required": .open,
        "mitigated": .mitigated, "mitigate": .mitigated, "partlymitigated": .mitigated, "partiallymitigated": .mitigated,
        "accepted": .accepted, "accept": .accepted,
        "transferred": .transferred, "transfer": .transferred,
        "closed": .closed, "notapplicable": .closed, "na": .closed, "hidden": .closed,
    ]

    static func threatState(_ status: ThreatStatus) -> String {
        switch status {
        case .open: "exposed"
        case .mitigated: "mitigated"
        case .accepted: "accepted"
        case .transferred: "transferred"
        case .closed: "not-applicable"
        }
    }

    /// Mitigation reference `state` → tmrepo mitigation status.
    static let mitigationStates: [String: MitigationStatus] = [
        "required": .planned, "recommended": .planned, "proposed": .planned, "planned": .planned, "open": .planned,
        "notimplemented": .planned, "inprogress": .planned, "todo": .planned,
        "implemented": .implemented, "done": .implemented, "partlyimplemented": .implemented,
        "verified": .verified, "tested": .verified,
        "rejected": .dropped, "dropped": .dropped, "notapplicable": .dropped, "na": .dropped, "wontfix": .dropped,
    ]

    static func mitigationState(_ status: MitigationStatus) -> String {
        switch status {
        case .planned: "required"
        case .implemented: "implemented"
        case .verified: "verified"
        case .dropped: "rejected"
        }
    }

    /// Severity from OTM risk (0–100): impact × likelihood / 100 (impact alone without a likelihood),
    /// then ≥ 90 critical, ≥ 70 high, ≥ 40 medium, ≥ 10 low, else info.
    static func severity(impact: Int, likelihood: Int?) -> Severity {
        let score = likelihood.map { impact * $0 / 100 } ?? impact
        switch score {
        case 90...: return .critical
        case 70..<90: return .high
        case 40..<70: return .medium
        case 10..<40: return .low
        default: return .info
        }
    }

    /// The impact written for a severity (with likelihood 100 it reads back as the same severity).
    static func impact(_ severity: Severity) -> Int {
        switch severity {
        case .critical: 100
        case .high: 80
        case .medium: 50
        case .low: 20
        case .info: 5
        }
    }

    /// The STRIDE-per-element kind of a component from another tool: a `kind:` tag tmrepo wrote,
    /// else words in its type, name and tags (client, user, browser… → external entity; database,
    /// store, bucket, queue… → data store), else process.
    static func kind(type: String, name: String, tags: [String]) -> ElementKind {
        for tag in tags where tag.hasPrefix("kind:") {
            if let kind = ElementKind(rawValue: String(tag.dropFirst(5))) { return kind }
        }
        let text = ([type, name] + tags).joined(separator: " ").lowercased()
        func has(_ words: [String]) -> Bool { words.contains { text.range(of: $0, options: .regularExpression) != nil } }
        if has(["actor", "client", "browser", "\\buser", "external", "mobile", "device", "android", "\\bios\\b", "third.?party", "partner", "internet", "person"]) {
            return .externalEntity
        }
        if has(["database", "\\bdb\\b", "-db\\b", "\\brds\\b", "dynamo", "\\bs3\\b", "bucket", "storage", "store", "\\btable", "cache", "redis", "sql",
                "postgres", "mongo", "queue", "\\bsqs\\b", "\\bfile", "blob", "vault", "secret"]) {
            return .dataStore
        }
        return .process
    }
}
