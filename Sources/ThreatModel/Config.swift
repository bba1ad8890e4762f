import Yams

/// What `policy:` in `.tmrepo.yml` asks the merge gate to enforce.
public struct Policy: Hashable, Sendable {
    public var blockUnreviewedChanges = true
    public var blockOverdue: [Severity] = [.critical, .high]
    public var independentReview = false
    public var protectedBranches: [String] = ["main"]
    /// Whether the server hook lets a protected branch be rewound or rewritten (not fast-forward).
    public var allowForcePush = false
    /// Whether a review counts only when its commit carries a valid SSH signature by a key the
    /// allowed-signers file lists for the reviewer.
    public var requireSignedReviews = false
    /// The allowed-signers file (git's `gpg.ssh.allowedSignersFile` format), relative to the model root.
    public var allowedSigners = ".tmrepo/allowed_signers"
    /// Kinds of template resource that must have an element before a merge (unmodeled attack surface).
    public var blockUnmodeled: [ElementKind] = []
    /// Severities of threat that block a merge when their element changed after their last review.
    public var blockChangedElements: [Severity] = []
    /// Severities of finding that block a merge while no threat links them (docs/merge-gate.md).
    public var blockUnassessed: [Severity] = []
    /// Whether a threat mitigated or closed while a finding it links (not accepted) is still reported blocks a merge.
    public var blockContradictions = false

    public init() {}
}

/// `.tmrepo.yml`, with the documented default for every key that is missing.
public struct ModelConfig: Hashable, Sendable {
    public static let fileName = ".tmrepo.yml"

    /// Folder of threat files, relative to the model root, with a trailing slash.
    public var threatsDirectory = "threats/"
    public var idPrefix = "T-"
    public var reviewCadence: [Severity: Cadence] = [
        .critical: Cadence(count: 30, unit: .days), .high: Cadence(count: 60, unit: .days),
        .medium: Cadence(count: 90, unit: .days), .low: Cadence(count: 180, unit: .days),
        .info: Cadence(count: 365, unit: .days),
    ]
    public var dueSoon = Cadence(count: 14, unit: .days)
    /// Team name → the git identities (emails) that act for it, in file order.
    public var owners: [(team: String, members: [String])] = []
    /// The owner `tmrepo import` gives threats that name none (`default_owner:`); nil: imports ask for `--owner`.
    public var defaultOwner: String?
    public var policy = Policy()
    public var system = SystemSettings()
    /// Catalog folders (`mitigations:`, `assumptions:`), relative to the model root, with a trailing slash.
    public var mitigationsDirectory = "mitigations/"
    public var assumptionsDirectory = "assumptions/"
    /// How often an assumption is reviewed when it names no `review_every` (`assumption_cadence:`).
    public var assumptionCadence = Cadence(count: 180, unit: .days)

    public init() {}

    public func cadence(for severity: Severity) -> Cadence {
        reviewCadence[severity] ?? ModelConfig().reviewCadence[severity]!
    }

    /// The cadence that applies to a threat: its own `review_every`, else the config's for its severity.
    public func cadence(for threat: Threat) -> Cadence? {
        threat.reviewEvery ?? threat.severity.map { cadence(for: $0) }
    }

    public func isKnownTeam(_ name: String) -> Bool { owners.contains { $0.team == name } }

    /// The teams an email acts for.
    public func teams(of email: String) -> [String] {
        owners.filter { $0.members.contains { $0.caseInsensitiveEquals(email) } }.map(\.team)
    }

    /// Whether an identity may act for an owner (the owner itself, or a member of the owner team).
    public func identity(_ email: String, actsFor owner: String) -> Bool {
        email.caseInsensitiveEquals(owner) || teams(of: email).contains(owner)
    }

    public static func == (lhs: ModelConfig, rhs: ModelConfig) -> Bool {
        lhs.threatsDirectory == rhs.threatsDirectory && lhs.idPrefix == rhs.idPrefix && lhs.reviewCadence == rhs.reviewCadence
            && lhs.dueSoon == rhs.dueSoon && lhs.defaultOwner == rhs.defaultOwner && lhs.policy == rhs.policy && lhs.system == rhs.system
            && lhs.mitigationsDirectory == rhs.mitigationsDirectory && lhs.assumptionsDirectory == rhs.assumptionsDirectory
            && lhs.assumptionCadence == rhs.assumptionCadence
            && lhs.owners.map(\.team) == rhs.owners.map(\.team) && lhs.owners.map(\.members) == rhs.owners.map(\.members)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(threatsDirectory)
        hasher.combine(idPrefix)
    }

    static let knownKeys = ["threats", "id_prefix", "review_cadence", "due_soon", "owners", "default_owner", "policy", "system",
                            "mitigations", "assumptions", "assumption_cadence"]
    static let policyKeys = ["block_unreviewed_changes", "block_overdue", "independent_review", "protected_branches",
                             "allow_force_push", "require_signed_reviews", "allowed_signers", "block_unmodeled",
                             "block_changed_elements", "block_unassessed", "block_contradictions"]

    /// Parses `.tmrepo.yml`. Returns the config (defaults where a key is missing or wrong) and every problem.
    public static func parse(path: String = fileName, bytes: [UInt8]) -> (ModelConfig, [Diagnostic]) {
        var config = ModelConfig()
        let text: String
        switch SourceText.decode(bytes) {
        case .success(let decoded): text = decoded.text
        case .failure(.tooLarge(let size)):
            return (config, [Diagnostic(path: path, line: 0, column: 0, severity: .error, rule: LintRule.fileTooLarge.rawValue, message: "file is \(size) bytes")])
        case .failure(.notUTF8(_, let line)):
            return (config, [Diagnostic(path: path, line: line, column: 1, severity: .error, rule: LintRule.notUtf8.rawValue, message: "file is not valid UTF-8")])
        }
        let reader = YAMLReader(path: path, lineOffset: 0)
        var fields = FieldReader(reader: reader)
        let root: YNode
        switch reader.compose(text) {
        case .failure(let diagnostic): return (config, [diagnostic])
        case .success(nil): return (config, [])
        case .success(let node?): root = node
        }
        guard let pairs = root.orderedPairs else {
            fields.error(root, .invalidType, "the config must be a mapping of settings, found \(root.kindName)")
            return (config, fields.diagnostics)
        }
        for (key, keyNode, value) in pairs {
            switch key {
            case "threats":
                if let folder = fields.singleLine(value, field: "threats") {
                    // One spelling per folder ("./threats/." is "threats/"), so every reader agrees on it.
                    let parts = folder.split(separator: "/").filter { $0 != "." }
                    if folder.hasPrefix("/") || parts.contains("..") {
                        fields.error(value, .invalidValue, "threats: '\(folder)' must be a folder inside the model root")
                    } else if parts.isEmpty {
                        fields.error(value, .invalidValue, "threats: '\(folder)' must name a folder below the model root (e.g. threats/), not the root itself")
                    } else {
                        config.threatsDirectory = parts.joined(separator: "/") + "/"
                    }
                }
            case "mitigations", "assumptions":
                if let folder = fields.singleLine(value, field: key) {
                    let parts = folder.split(separator: "/").filter { $0 != "." }
                    if folder.hasPrefix("/") || parts.contains("..") || parts.isEmpty {
                        fields.error(value, .invalidValue, "\(key): '\(folder)' must name a folder below the model root (e.g. \(key)/)")
                    } else if key == "mitigations" {
                        config.mitigationsDirectory = parts.joined(separator: "/") + "/"
                    } else {
                        config.assumptionsDirectory = parts.joined(separator: "/") + "/"
                    }
                }
            case "assumption_cadence":
                if let cadence = fields.cadence(value, field: "assumption_cadence") { config.assumptionCadence = cadence }
            case "id_prefix":
                if let prefix = fields.singleLine(value, field: "id_prefix") {
                    if prefix.contains(where: { $0 == "/" || $0 == " " || ($0.isASCII && $0.isNumber) }) {
                        fields.error(value, .invalidValue, "id_prefix: '\(prefix)' must not contain digits, spaces or '/'")
                    } else {
                        config.idPrefix = prefix
                    }
                }
            case "review_cadence":
                guard let cadencePairs = value.orderedPairs else {
                    fields.error(value, .invalidType, "review_cadence: expected a mapping of severity to duration")
                    continue
                }
                for (severityName, severityKey, duration) in cadencePairs {
                    guard let severity = Severity(rawValue: severityName) else {
                        fields.error(severityKey, .invalidValue, "review_cadence.\(severityName): not a severity (\(Severity.choices))")
                        continue
                    }
                    if let cadence = fields.cadence(duration, field: "review_cadence.\(severityName)") {
                        config.reviewCadence[severity] = cadence
                    }
                }
            case "due_soon":
                if let cadence = fields.cadence(value, field: "due_soon") { config.dueSoon = cadence }
            case "owners":
                if value.isNullScalar { continue }
                guard let teamPairs = value.orderedPairs else {
                    fields.error(value, .invalidType, "owners: expected a mapping of team name to a list of emails")
                    continue
                }
                for (team, _, members) in teamPairs {
                    let emails = (fields.stringList(members, field: "owners.\(team)") ?? [])
                    for (email, node) in emails where !email.contains("@") {
                        fields.warning(node, .invalidValue, "owners.\(team): '\(email)' does not look like an email (git identities are matched by email)")
                    }
                    config.owners.append((team, emails.map(\.0)))
                }
            case "default_owner":
                if !value.isNullScalar, let owner = fields.singleLine(value, field: "default_owner") {
                    let trimmed = owner.trimmingCharacters(in: " \t")
                    if trimmed.isEmpty {
                        fields.error(value, .invalidValue, "default_owner: name a team from owners or an email")
                    } else {
                        config.defaultOwner = trimmed
                    }
                }
            case "policy":
                readPolicy(value, into: &config.policy, fields: &fields)
            case "system":
                config.system = SystemSettings.read(value, fields: &fields)
            default:
                fields.checkUnknown(key, keyNode: keyNode, known: knownKeys)
            }
        }
        return (config, fields.diagnostics)
    }

    private static func readPolicy(_ value: YNode, into policy: inout Policy, fields: inout FieldReader) {
        if value.isNullScalar { return }
        guard let pairs = value.orderedPairs else {
            fields.error(value, .invalidType, "policy: expected a mapping")
            return
        }
        for (key, keyNode, item) in pairs {
            switch key {
            case "block_unreviewed_changes":
                if let flag = fields.bool(item, field: "policy.block_unreviewed_changes") { policy.blockUnreviewedChanges = flag }
            case "independent_review":
                if let flag = fields.bool(item, field: "policy.independent_review") { policy.independentReview = flag }
            case "block_overdue":
                policy.blockOverdue = fields.enumList(item, field: "policy.block_overdue", as: Severity.self) ?? []
            case "block_unmodeled":
                policy.blockUnmodeled = fields.enumList(item, field: "policy.block_unmodeled", as: ElementKind.self) ?? []
            case "block_changed_elements":
                policy.blockChangedElements = fields.enumList(item, field: "policy.block_changed_elements", as: Severity.self) ?? []
            case "block_unassessed":
                policy.blockUnassessed = fields.enumList(item, field: "policy.block_unassessed", as: Severity.self) ?? []
            case "block_contradictions":
                if let flag = fields.bool(item, field: "policy.block_contradictions") { policy.blockContradictions = flag }
            case "protected_branches":
                policy.protectedBranches = (fields.stringList(item, field: "policy.protected_branches") ?? []).map(\.0)
            case "allow_force_push":
                if let flag = fields.bool(item, field: "policy.allow_force_push") { policy.allowForcePush = flag }
            case "require_signed_reviews":
                if let flag = fields.bool(item, field: "policy.require_signed_reviews") { policy.requireSignedReviews = flag }
            case "allowed_signers":
                if let path = fields.singleLine(item, field: "policy.allowed_signers") {
                    if path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                        fields.error(item, .invalidValue, "policy.allowed_signers: '\(path)' must be a file inside the model root")
                    } else {
                        policy.allowedSigners = path
                    }
                }
            default:
                fields.checkUnknown(key, keyNode: keyNode, known: policyKeys)
                if !policyKeys.contains(key), !policyKeys.contains(where: { editDistance($0, key) <= 2 }) {
                    fields.warning(keyNode, .unknownField, "policy.\(key): unknown policy setting (ignored)")
                }
            }
        }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
