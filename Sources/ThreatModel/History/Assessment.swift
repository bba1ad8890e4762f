/// A finding as one threat links it.
public struct LinkedFinding: Sendable, Equatable {
    public let threat: String
    public let path: String
    public let threatStatus: ThreatStatus?
    public let link: VulnerabilityLink
    /// The finding as reported now (nil: not reported).
    public let finding: VulnerabilityFinding?

    public init(threat: String, path: String, threatStatus: ThreatStatus?, link: VulnerabilityLink, finding: VulnerabilityFinding?) {
        self.threat = threat
        self.path = path
        self.threatStatus = threatStatus
        self.link = link
        self.finding = finding
    }
}

/// An accepted finding: when it was written and until when it holds.
public struct AcceptanceState: Sendable, Equatable {
    public let threat: String
    public let path: String
    public let link: VulnerabilityLink
    /// The commit that wrote the acceptance as it stands (nil: not committed).
    public let written: CommitRef?
    /// The last day it holds (nil: a duration whose start is not known).
    public let lastDay: Day?
    /// The threat's last review as of the moment judged.
    public let lastReview: CommitRef?

    public init(threat: String, path: String, link: VulnerabilityLink, written: CommitRef?, lastDay: Day?, lastReview: CommitRef?) {
        self.threat = threat
        self.path = path
        self.link = link
        self.written = written
        self.lastDay = lastDay
        self.lastReview = lastReview
    }
}

/// Every finding assessed? What the threat files say about the findings reported now
/// (`status`, the gate), judged as of a moment:
/// - unassessed: a finding no threat links (with any status);
/// - contradictions: a threat `mitigated` or `closed` linking a finding that is still reported
///   and that it does not record as `accepted` (`open` or `fixed`);
/// - expired: an acceptance whose `until` day (or duration from the commit that wrote it) has passed,
///   or a duration written by a commit dated after the moment judged (it has not started);
/// - unreviewed: an acceptance written by a commit after the threat's last review (a review in
///   the same commit, or committed later, counts; the app layer decides "later" by ancestry, not
///   by the dates typed into commits, and with `independent_review` a review by the acceptance's
///   author does not count), or on a threat never reviewed;
/// - back: a finding recorded `fixed` that is reported again;
/// - ambiguous: an entry without `template` whose rule and logical id are reported in more than
///   one template covers none of them (they are unassessed until the entry names its template);
/// - lapsed: a finding reported now that threats link, but none with an assessment that holds:
///   every link records it `fixed` (it is back) or `accepted` with an acceptance that has expired.
///   It is not unassessed (a threat names it), but nobody has assessed it as it stands, so the
///   gate treats it as unassessed. An expired acceptance no longer excuses a `mitigated` or
///   `closed` threat either: that is a contradiction.
public struct AssessmentReport: Sendable {
    public let asOf: Int64
    public let findings: [VulnerabilityFinding]
    public let unassessed: [VulnerabilityFinding]
    public let contradictions: [LinkedFinding]
    public let expired: [AcceptanceState]
    public let unreviewed: [AcceptanceState]
    public let back: [LinkedFinding]
    /// Findings reported and linked, but by no link whose assessment holds (see above).
    public let lapsed: [VulnerabilityFinding]
    /// Entries without a template whose logical id is reported in several templates: they cover
    /// none of those findings (which count as unassessed) until they name their template.
    public let ambiguous: [LinkedFinding]
    /// Findings reported and linked to at least one threat.
    public let assessedCount: Int

    /// `writtenIn` answers which commit wrote a threat's entry as it stands (the app layer reads
    /// it from history); `lastReview` the threat's last review as of `asOf`; `reviewCovers`
    /// whether a review (first) is one of an acceptance written in a commit (second). Without
    /// it, commit times decide: the same commit, or a later one.
    public init(findings: [VulnerabilityFinding], threats: [Threat], asOf: Int64,
                writtenIn: (Threat, VulnerabilityLink) -> CommitRef?, lastReview: (Threat) -> CommitRef?,
                reviewCovers: ((CommitRef, CommitRef) -> Bool)? = nil) {
        self.asOf = asOf
        self.findings = findings
        let today = Day(unixTime: asOf)
        var unassessed: [VulnerabilityFinding] = []
        var contradictions: [LinkedFinding] = []
        var back: [LinkedFinding] = []
        var assessed = 0
        let linked = threats.flatMap { threat in threat.vulnerabilities.map { (threat, $0) } }
        // Acceptances first: whether each still holds decides what the findings it covers are.
        var expired: [AcceptanceState] = []
        var unreviewed: [AcceptanceState] = []
        var lapsedLinks = Set<Int>()
        for (index, (threat, link)) in linked.enumerated() where link.status == .accepted {
            let written = writtenIn(threat, link)
            let review = lastReview(threat)
            let lastDay = link.until?.lastDay(written: written.map { Day(unixTime: $0.time) })
            let state = AcceptanceState(threat: threat.id, path: threat.path, link: link, written: written, lastDay: lastDay, lastReview: review)
            // A duration counts from the commit that wrote it: one dated after the moment judged
            // (a commit date is a claim) has not started, and must not hold until that date plus the duration.
            var fromTheFuture = false
            if case .duration = link.until, let written, written.time > asOf { fromTheFuture = true }
            if let lastDay, lastDay < today || fromTheFuture {
                expired.append(state)
                lapsedLinks.insert(index)
            }
            if let written {
                let covers = reviewCovers ?? { review, written in review.commit == written.commit || review.time >= written.time }
                if review.map({ !covers($0, written) }) ?? true { unreviewed.append(state) }
            } else if review == nil {
                unreviewed.append(state)
            }
        }
        // Findings by rule, so each link looks only at its rule's findings.
        var byRule: [String: [VulnerabilityFinding]] = [:]
        for finding in findings { byRule[finding.rule, default: []].append(finding) }
        // The templates each rule and logical id are reported in: an entry without a template
        // names one resource only while its logical id is in one template. Once another template
        // has a resource of that name (two stacks both with a `FunctionRole`), the entry is
        // ambiguous and covers neither: an acceptance written for one stack must not silently
        // cover a weakness that a new stack brings.
        var templatesOf: [[String]: Set<String>] = [:]
        for finding in findings {
            if let id = finding.logicalId { templatesOf[[finding.rule, id], default: []].insert(finding.path) }
        }
        var ambiguous: [LinkedFinding] = []
        var linkedKeys = Set<FindingKey>()
        var holdingKeys = Set<FindingKey>()
        for (index, (threat, link)) in linked.enumerated() {
            let holds = link.status != .fixed && !lapsedLinks.contains(index)
            for finding in byRule[link.rule] ?? [] where link.matches(finding.key) {
                if link.template == nil, let id = finding.logicalId, (templatesOf[[link.rule, id]]?.count ?? 0) > 1 {
                    ambiguous.append(LinkedFinding(threat: threat.id, path: threat.path, threatStatus: threat.status, link: link, finding: finding))
                    continue
                }
                linkedKeys.insert(finding.key)
                if holds { holdingKeys.insert(finding.key) }
                let entry = LinkedFinding(threat: threat.id, path: threat.path, threatStatus: threat.status, link: link, finding: finding)
                if let status = threat.status, status == .mitigated || status == .closed, link.status != .accepted || lapsedLinks.contains(index) {
                    contradictions.append(entry)
                }
                if link.status == .fixed { back.append(entry) }
            }
        }
        var lapsed: [VulnerabilityFinding] = []
        for finding in findings {
            if linkedKeys.contains(finding.key) {
                assessed += 1
                if !holdingKeys.contains(finding.key) { lapsed.append(finding) }
            } else {
                unassessed.append(finding)
            }
        }
        self.unassessed = unassessed.sorted(by: VulnerabilityFinding.order)
        self.contradictions = contradictions
        self.expired = expired
        self.unreviewed = unreviewed
        self.back = back
        self.lapsed = lapsed.sorted(by: VulnerabilityFinding.order)
        self.ambiguous = ambiguous
        self.assessedCount = assessed
    }

    /// Nothing to report.
    public var isClean: Bool {
        unassessed.isEmpty && contradictions.isEmpty && expired.isEmpty && unreviewed.isEmpty && back.isEmpty && ambiguous.isEmpty
    }
}
