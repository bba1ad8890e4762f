import ThreatModel

/// The filters of `tmrepo list`; empty lists mean "any".
public struct ThreatFilter: Sendable {
    public var severities: [Severity]
    public var statuses: [ThreatStatus]
    public var owner: String?
    public var stride: [StrideCategory]
    public var element: String?

    public init(severities: [Severity] = [], statuses: [ThreatStatus] = [], owner: String? = nil,
                stride: [StrideCategory] = [], element: String? = nil) {
        self.severities = severities
        self.statuses = statuses
        self.owner = owner
        self.stride = stride
        self.element = element
    }

    /// Whether `owner` (a team, or an email acting for the threat's owner team) owns the threat.
    public static func isOwned(_ threat: Threat, by owner: String, config: ModelConfig) -> Bool {
        threat.owner.map { config.identity(owner, actsFor: $0) } ?? false
    }

    /// Matching threats, most severe first, then by id.
    public func apply(_ threats: [Threat], config: ModelConfig) -> [Threat] {
        threats.filter { threat in
            (severities.isEmpty || threat.severity.map(severities.contains) == true)
                && (statuses.isEmpty || threat.status.map(statuses.contains) == true)
                && (stride.isEmpty || !Set(stride).isDisjoint(with: threat.stride))
                && (element == nil || threat.element == element)
                && (owner == nil || Self.isOwned(threat, by: owner!, config: config))
        }.sorted { lhs, rhs in
            let l = lhs.severity?.rank ?? 99, r = rhs.severity?.rank ?? 99
            return l != r ? l < r : Model.idOrder(lhs.id, rhs.id)
        }
    }
}
