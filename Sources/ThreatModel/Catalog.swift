/// The model-level catalog (docs/format.md, "Catalog"): shared mitigations that threats reference
/// by id (`- ref: MIT-0001`), and assumptions linked to threats and mitigations. One file per
/// item, like threat files, so two branches that add items never touch the same file.
public enum CatalogKind: String, Sendable, CaseIterable {
    case mitigation
    case assumption

    /// The id prefix (fixed: catalog ids never collide with threat ids, whatever `id_prefix` is).
    public var idPrefix: String { self == .mitigation ? "MIT-" : "ASM-" }

    /// The commit trailer that records a review of an item of this kind.
    public var trailer: String { self == .mitigation ? "Reviewed-mitigation" : "Reviewed-assumption" }

    /// The kind an id belongs to, by its prefix (any letter case).
    public static func of(id: String) -> CatalogKind? {
        let key = ThreatID.key(id)
        return allCases.first { key.hasPrefix($0.idPrefix) }
    }
}

/// Where a catalog item came from in Threat Composer, kept for a faithful export.
public struct CatalogComposerLink: Hashable, Sendable {
    public var id: String
    public var numericID: Int?
    /// The Threat Composer text when the title (one line) does not hold it exactly.
    public var content: String?
    /// Threat Composer's `Comments` metadata.
    public var comments: String?
    /// A mitigation's Threat Composer status when tmrepo's maps back to another (mitigationInProgress is planned).
    public var status: String?
    public var tags: [String]
    /// `custom:` metadata tmrepo has no field for.
    public var custom: [String: [String]]

    public init(id: String, numericID: Int? = nil, content: String? = nil, comments: String? = nil, tags: [String] = [],
                custom: [String: [String]] = [:]) {
        self.id = id
        self.numericID = numericID
        self.content = content
        self.comments = comments
        self.tags = tags
        self.custom = custom
    }
}

/// A mitigation that several threats share (`mitigations/MIT-0001-<slug>.md`).
public struct SharedMitigation: Hashable, Sendable {
    public var id: String
    public var path: String
    public var title: String
    public var status: MitigationStatus?
    public var owner: String?
    /// Repository-relative paths or globs, as for a threat's own mitigations.
    public var evidence: [String]
    public var verified: Day?
    public var reviewed: ReviewClaim?
    public var threatComposer: CatalogComposerLink?
    public var extraKeys: [String]
    public var body: String
    public var locations: [String: SourceLocation]

    public init(id: String, path: String, title: String = "", status: MitigationStatus? = nil, owner: String? = nil,
                evidence: [String] = [], verified: Day? = nil, reviewed: ReviewClaim? = nil, threatComposer: CatalogComposerLink? = nil,
                extraKeys: [String] = [], body: String = "", locations: [String: SourceLocation] = [:]) {
        self.id = id
        self.path = path
        self.title = title
        self.status = status
        self.owner = owner
        self.evidence = evidence
        self.verified = verified
        self.reviewed = reviewed
        self.threatComposer = threatComposer
        self.extraKeys = extraKeys
        self.body = body
        self.locations = locations
    }

    public func location(of field: String) -> SourceLocation { locations[field] ?? SourceLocation(line: 1, column: 1) }

    /// The per-threat form a reference resolves to (`ref` set), so every per-threat rule applies.
    public var asMitigation: Mitigation {
        Mitigation(id: id, title: title, status: status, owner: owner, evidence: evidence, verified: verified, ref: id)
    }
}

/// A claim the model rests on (`assumptions/ASM-0001-<slug>.md`): it goes stale like a threat.
public struct Assumption: Hashable, Sendable {
    public var id: String
    public var path: String
    public var statement: String
    public var owner: String?
    /// Threat ids (`links.threats`).
    public var threats: [String]
    /// Shared mitigation ids (`links.mitigations`).
    public var mitigations: [String]
    public var reviewEvery: Cadence?
    public var reviewed: ReviewClaim?
    public var threatComposer: CatalogComposerLink?
    public var extraKeys: [String]
    public var body: String
    public var locations: [String: SourceLocation]

    public init(id: String, path: String, statement: String = "", owner: String? = nil, threats: [String] = [], mitigations: [String] = [],
                reviewEvery: Cadence? = nil, reviewed: ReviewClaim? = nil, threatComposer: CatalogComposerLink? = nil,
                extraKeys: [String] = [], body: String = "", locations: [String: SourceLocation] = [:]) {
        self.id = id
        self.path = path
        self.statement = statement
        self.owner = owner
        self.threats = threats
        self.mitigations = mitigations
        self.reviewEvery = reviewEvery
        self.reviewed = reviewed
        self.threatComposer = threatComposer
        self.extraKeys = extraKeys
        self.body = body
        self.locations = locations
    }

    public func location(of field: String) -> SourceLocation { locations[field] ?? SourceLocation(line: 1, column: 1) }
}

extension ModelConfig {
    /// The cadence of an assumption: its own `review_every`, else `assumption_cadence` from the config.
    public func cadence(for assumption: Assumption) -> Cadence {
        assumption.reviewEvery ?? assumptionCadence
    }

    /// The catalog folder of a kind.
    public func directory(for kind: CatalogKind) -> String {
        kind == .mitigation ? mitigationsDirectory : assumptionsDirectory
    }

    /// The folders the model is read from: threats, then the catalog's.
    public var modelFolders: [String] {
        [threatsDirectory] + CatalogKind.allCases.map(directory(for:))
    }
}
