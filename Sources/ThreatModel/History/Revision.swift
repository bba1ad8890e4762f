/// A person as git records them.
public struct Identity: Hashable, Sendable {
    public let name: String
    public let email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
}

/// What history needs to know about one version of a threat file.
public struct ThreatVersion: Hashable, Sendable {
    public struct MitigationVersion: Hashable, Sendable {
        public let id: String
        public let status: MitigationStatus?
        public let verified: Day?

        public init(id: String, status: MitigationStatus?, verified: Day?) {
            self.id = id
            self.status = status
            self.verified = verified
        }
    }

    public let id: String
    public let severity: Severity?
    public let status: ThreatStatus?
    public let owner: String?
    public let reviewed: ReviewClaim?
    public let mitigations: [MitigationVersion]
    /// A digest of the parsed values of everything but the `reviewed` block (other fields, unknown
    /// fields, body): two versions with the same digest differ at most in their review record.
    public let materialDigest: MaterialDigest

    public init(id: String, severity: Severity?, status: ThreatStatus?, owner: String?, reviewed: ReviewClaim?,
                mitigations: [MitigationVersion], materialDigest: MaterialDigest) {
        self.id = id
        self.severity = severity
        self.status = status
        self.owner = owner
        self.reviewed = reviewed
        self.mitigations = mitigations
        self.materialDigest = materialDigest
    }

    public init(_ threat: Threat, materialDigest: MaterialDigest) {
        self.init(id: threat.id, severity: threat.severity, status: threat.status, owner: threat.owner, reviewed: threat.reviewed,
                  mitigations: threat.mitigations.map { MitigationVersion(id: $0.id, status: $0.status, verified: $0.verified) },
                  materialDigest: materialDigest)
    }
}

/// One threat's file as one commit changed it, after pairing renames by id.
/// `old == nil`: the threat appeared; `new == nil`: it disappeared.
public struct ThreatChange: Hashable, Sendable {
    public let id: String
    public let oldPath: String?
    public let newPath: String?
    public let old: ThreatVersion?
    public let new: ThreatVersion?

    public init(id: String, oldPath: String?, newPath: String?, old: ThreatVersion?, new: ThreatVersion?) {
        self.id = id
        self.oldPath = oldPath
        self.newPath = newPath
        self.old = old
        self.new = new
    }
}

/// A commit, reduced to what the threat model's history needs.
public struct Revision: Sendable {
    public let id: String
    /// Committer time, seconds since 1970: when the change entered the repository.
    public let time: Int64
    /// The committer's UTC offset in minutes (for reading dates as the committer saw them).
    public let offsetMinutes: Int32
    public let author: Identity
    public let committer: Identity
    /// Ids named by `Reviewed-threat:` trailers.
    public let reviewedIDs: [String]
    public let threatChanges: [ThreatChange]
    /// Threat files this commit wrote that could not be read (path, first problem).
    public let unreadableFiles: [(path: String, message: String)]

    public init(id: String, time: Int64, offsetMinutes: Int32, author: Identity, committer: Identity,
                reviewedIDs: [String], threatChanges: [ThreatChange], unreadableFiles: [(path: String, message: String)] = []) {
        self.id = id
        self.time = time
        self.offsetMinutes = offsetMinutes
        self.author = author
        self.committer = committer
        self.reviewedIDs = reviewedIDs
        self.threatChanges = threatChanges
        self.unreadableFiles = unreadableFiles
    }
}

/// A commit that did something to a threat.
public struct CommitRef: Hashable, Sendable {
    public let commit: String
    public let time: Int64
    public let author: Identity

    public init(commit: String, time: Int64, author: Identity) {
        self.commit = commit
        self.time = time
        self.author = author
    }

    /// Whether this commit comes after `other` by commit time, then id: one answer however the
    /// history's commits were folded (a cache folds them in the order they arrived).
    public func isLater(than other: CommitRef) -> Bool {
        (time, commit) > (other.time, other.commit)
    }
}
