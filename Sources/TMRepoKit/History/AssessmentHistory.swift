import TMGit
import ThreatModel

/// Dates the `vulnerabilities:` entries of HEAD's threats from git history: the commit that wrote
/// an entry as it stands is the oldest of the unbroken run of commits changing the threat's file
/// (newest first) whose version holds the same entry. Each threat-file version is parsed once
/// (by blob id); the walk stops at the first version without the entry, at the path's first
/// commit (a renamed file's acceptance counts from the rename: later, never earlier), or after
/// `maximumVersions` versions. A git failure is thrown, never read as "not written".
final class AssessmentHistory {
    static let maximumVersions = 2_000

    private let repository: Repository
    private let modelPrefix: String
    private let index: EvidenceIndex?
    private let idPrefix: String
    private var parsed: [ObjectID: [VulnerabilityLink]] = [:]
    private var written: [String: [VulnerabilityLink: CommitRef]] = [:]

    init(repository: Repository, modelPrefix: String, index: EvidenceIndex?, idPrefix: String) {
        self.repository = repository
        self.modelPrefix = modelPrefix
        self.index = index
        self.idPrefix = idPrefix
    }

    /// The commit that wrote `link` into `threat` as it stands; nil when no commit holds it.
    func writtenIn(_ threat: Threat, _ link: VulnerabilityLink) throws -> CommitRef? {
        if let known = written[threat.id] { return known[Self.normalized(link)] }
        var found: [VulnerabilityLink: CommitRef] = [:]
        let wanted = Set(threat.vulnerabilities.map(Self.normalized))
        var open = wanted
        let path = modelPrefix + threat.path
        var oldest: [VulnerabilityLink: String] = [:]
        for commit in (index?.commits(changing: path) ?? []).reversed().prefix(Self.maximumVersions) where !open.isEmpty {
            guard let id = ObjectID(hex: commit) else { break }
            let tree = try repository.commit(id).tree
            guard let entry = try repository.entryID(in: tree, path: path), entry.kind == .blob else { break }
            let links = try versionLinks(entry.id, path: threat.path)
            for link in open where !links.contains(link) { open.remove(link) }
            for link in open { oldest[link] = commit }
        }
        for (link, commit) in oldest {
            guard let id = ObjectID(hex: commit) else { continue }
            let info = try repository.commit(id)
            found[link] = CommitRef(commit: commit, time: info.committer.time,
                                    author: Identity(name: info.author.name, email: info.author.email))
        }
        written[threat.id] = found
        return found[Self.normalized(link)]
    }

    private func versionLinks(_ blob: ObjectID, path: String) throws -> [VulnerabilityLink] {
        if let known = parsed[blob] { return known }
        let bytes = try repository.blob(blob)
        let links = ThreatParser.parse(path: path, bytes: bytes, idPrefix: idPrefix).threat?.vulnerabilities.map(Self.normalized) ?? []
        parsed[blob] = links
        return links
    }

    /// What must stay the same for an entry to be "the same": everything but where it is in the file.
    private static func normalized(_ link: VulnerabilityLink) -> VulnerabilityLink {
        var copy = link
        copy.location = SourceLocation(line: 0, column: 0)
        return copy
    }
}

extension HistoryAnalysis {
    /// What the threat files at HEAD say about `findings`, as of `asOf`: unassessed findings,
    /// contradictions, expired and unreviewed acceptances, fixed findings that are back.
    public func assessment(findings: [VulnerabilityFinding], asOf: Int64, location: ModelLocation) throws -> AssessmentReport {
        let dating = AssessmentHistory(repository: location.repository, modelPrefix: location.prefix,
                                       index: evidence as? EvidenceIndex, idPrefix: model.config.idPrefix)
        var failure: Error?
        let report = AssessmentReport(
            findings: findings, threats: model.threats, asOf: asOf,
            writtenIn: { threat, link in
                do {
                    return try dating.writtenIn(threat, link)
                } catch {
                    failure = failure ?? error
                    return nil
                }
            },
            lastReview: { threat in history(id: threat.id)?.lastReview(asOf: asOf)?.ref },
            reviewCovers: { [independent = model.config.policy.independentReview, index = evidence as? EvidenceIndex] review, written in
                // A review of the acceptance is in the commit that wrote it or in one that holds
                // that commit (ancestry: a commit's date is a claim, so a backdated acceptance
                // stays unreviewed); with independent_review, by someone else than its author.
                let after = review.commit == written.commit || (index?.contains(review.commit, written.commit)
                    ?? (review.time >= written.time))
                return after && !(independent && review.author.email.lowercased() == written.author.email.lowercased())
            })
        if let failure {
            if let error = failure as? GitError { throw TMRepoError.from(error) }
            throw failure
        }
        return report
    }

    /// The built-in checks over HEAD's templates, plus the results of `sarif` logs mapped onto them.
    public func scan(asOf: Int64, sarif: [(path: String, log: SARIFLog)] = []) -> ScanResult {
        VulnerabilityScan.run(system: system, today: Day(unixTime: asOf), sarif: sarif)
    }
}
