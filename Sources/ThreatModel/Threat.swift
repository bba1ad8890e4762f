/// The last review a threat file claims (`reviewed:`). Git history decides whether it is trusted.
public struct ReviewClaim: Hashable, Sendable {
    public var on: Day?
    public var by: String?

    public init(on: Day?, by: String?) {
        self.on = on
        self.by = by
    }
}

public struct Mitigation: Hashable, Sendable {
    public var id: String
    public var title: String
    public var status: MitigationStatus?
    public var owner: String?
    /// Repository-relative paths or globs (`**` allowed) of the code this mitigation relies on.
    public var evidence: [String]
    public var verified: Day?
    /// `- ref: MIT-0001`: a shared mitigation of the catalog; the model fills the other fields from it.
    public var ref: String?

    public init(id: String, title: String, status: MitigationStatus?, owner: String?, evidence: [String], verified: Day?, ref: String? = nil) {
        self.ref = ref
        self.id = id
        self.title = title
        self.status = status
        self.owner = owner
        self.evidence = evidence
        self.verified = verified
    }
}

/// Threat Composer's threat grammar: "[source] [prerequisites] can [action], which leads to [impact]…".
public struct ThreatStatement: Hashable, Sendable {
    public var source: String?
    public var prerequisites: String?
    public var action: String?
    public var impact: String?
    public var impactedGoal: [String]
    public var impactedAssets: [String]

    public init(source: String? = nil, prerequisites: String? = nil, action: String? = nil, impact: String? = nil,
                impactedGoal: [String] = [], impactedAssets: [String] = []) {
        self.source = source
        self.prerequisites = prerequisites
        self.action = action
        self.impact = impact
        self.impactedGoal = impactedGoal
        self.impactedAssets = impactedAssets
    }
}

/// Where a threat came from in AWS Threat Composer, kept so re-imports and exports keep its identity.
public struct ThreatComposerLink: Hashable, Sendable {
    public var id: String
    public var numericID: Int?
    /// Threat Composer `custom:` metadata tmrepo has no field for, kept for the way back.
    public var custom: [String: [String]]
    /// The statement as Threat Composer had it, when it is not the one composed from the grammar.
    public var statement: String?

    public init(id: String, numericID: Int? = nil, custom: [String: [String]] = [:], statement: String? = nil) {
        self.statement = statement
        self.id = id
        self.numericID = numericID
        self.custom = custom
    }
}

/// One threat as read from its file. Fields a file gets wrong are nil (and reported);
/// the parser keeps going so that one run reports every problem.
public struct Threat: Hashable, Sendable {
    public var id: String
    public var path: String
    public var title: String
    public var stride: [StrideCategory]
    public var element: String?
    public var assets: [String]
    public var severity: Severity?
    public var status: ThreatStatus?
    public var owner: String?
    public var reviewEvery: Cadence?
    public var reviewed: ReviewClaim?
    public var mitigations: [Mitigation]
    public var statement: ThreatStatement?
    public var tags: [String]
    public var threatComposer: ThreatComposerLink?
    /// Top-level keys tmrepo does not know, in file order (kept byte for byte on rewrite).
    public var extraKeys: [String]
    /// The Markdown after the front matter.
    public var body: String
    /// Where each top-level field starts, for diagnostics that involve other files.
    public var locations: FieldLocations
    /// The findings linked to this threat and their assessment (`vulnerabilities:`).
    public var vulnerabilities: [VulnerabilityLink] = []

    public init(id: String, path: String, title: String = "", stride: [StrideCategory] = [], element: String? = nil,
                assets: [String] = [], severity: Severity? = nil, status: ThreatStatus? = nil, owner: String? = nil,
                reviewEvery: Cadence? = nil, reviewed: ReviewClaim? = nil, mitigations: [Mitigation] = [],
                statement: ThreatStatement? = nil, tags: [String] = [], extraKeys: [String] = [], body: String = "",
                locations: FieldLocations = [:]) {
        self.id = id
        self.path = path
        self.title = title
        self.stride = stride
        self.element = element
        self.assets = assets
        self.severity = severity
        self.status = status
        self.owner = owner
        self.reviewEvery = reviewEvery
        self.reviewed = reviewed
        self.mitigations = mitigations
        self.statement = statement
        self.tags = tags
        self.extraKeys = extraKeys
        self.body = body
        self.locations = locations
    }

    public func location(of field: String) -> SourceLocation {
        locations[field] ?? SourceLocation(line: 1, column: 1)
    }

    /// Whether the threat is still live work (not closed, accepted or transferred).
    public var isActive: Bool { status?.needsOwner ?? true }
}
