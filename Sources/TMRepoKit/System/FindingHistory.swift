import TMGit
import ThreatModel

/// The built-in findings over history: each version of each of HEAD's templates is scanned once
/// (cached by blob id), alone and as of one day, so that a finding appears or goes only when a
/// commit changed the template. Findings about a whole system (TM-LOG-001) are left out: one
/// template alone cannot say. Versions are taken in the history engine's order (parents first);
/// at most `maximumVersions` per template, the newest. A git failure is thrown, never "no change".
final class FindingHistory {
    static let maximumVersions = 5_000

    private let repository: Repository
    private let modelPrefix: String
    private let index: EvidenceIndex
    private let mapping: ResourceMapping
    private let today: Day
    private var byBlob: [ObjectID: [FindingKey: VulnerabilityFinding]] = [:]

    init(repository: Repository, modelPrefix: String, index: EvidenceIndex, mapping: ResourceMapping, today: Day) {
        self.repository = repository
        self.modelPrefix = modelPrefix
        self.index = index
        self.mapping = mapping
        self.today = today
    }

    /// `finding-introduced` and `finding-fixed` events for the templates at `paths` (model-root relative), oldest first.
    func events(templates paths: [String], since: Int64?, until: Int64?) throws -> [ChangelogEvent] {
        var out: [ChangelogEvent] = []
        for path in paths {
            var previous: [FindingKey: VulnerabilityFinding] = [:]
            for commit in index.commits(changing: modelPrefix + path).suffix(Self.maximumVersions) {
                guard let id = ObjectID(hex: commit) else { continue }
                let info = try repository.commit(id)
                let current: [FindingKey: VulnerabilityFinding]
                if let entry = try repository.entryID(in: info.tree, path: modelPrefix + path), entry.kind == .blob {
                    current = try findings(blob: entry.id, path: path)
                } else {
                    current = [:]
                }
                let time = info.committer.time
                if (since.map { time >= $0 } ?? true) && (until.map { time <= $0 } ?? true) {
                    for (key, finding) in current where previous[key] == nil {
                        out.append(ChangelogEvent(id: AssessmentFormatter.name(key), field: .findingIntroduced, from: nil, to: finding.severity.rawValue,
                                                  time: time, commit: commit, author: info.author.email, title: finding.message))
                    }
                    for (key, finding) in previous where current[key] == nil {
                        out.append(ChangelogEvent(id: AssessmentFormatter.name(key), field: .findingFixed, from: finding.severity.rawValue, to: nil,
                                                  time: time, commit: commit, author: info.author.email, title: finding.message))
                    }
                }
                previous = current
            }
        }
        return out.sorted { $0.time != $1.time ? $0.time < $1.time : ($0.id, $0.field.rawValue) < ($1.id, $1.field.rawValue) }
    }

    private func findings(blob: ObjectID, path: String) throws -> [FindingKey: VulnerabilityFinding] {
        if let known = byBlob[blob] { return known }
        let bytes = try repository.blob(blob)
        var out: [FindingKey: VulnerabilityFinding] = [:]
        // A version that cannot be read declares nothing: its findings count as gone, and come back with the next readable one.
        if bytes.count <= Limits.maximumTemplateBytes, let template = CloudFormationTemplate.parse(path: path, bytes: bytes).template {
            let system = SystemDiscovery.discover(templates: [template], mapping: mapping)
            for finding in TemplateScanner.scan(templates: [template], system: system, today: today) where finding.logicalId != nil {
                // One entry per key (several properties of one resource are separate keys already).
                if out[finding.key] == nil { out[finding.key] = finding }
            }
        }
        byBlob[blob] = out
        return out
    }
}

/// Open built-in findings per month, by severity, replayed from `finding-introduced`/`finding-fixed` events.
public enum FindingTimeline {
    public static func openBySeverityPerMonth(_ events: [ChangelogEvent], from: Int64?, until: Int64) -> [(month: String, counts: [Severity: Int])] {
        let findingEvents = events.filter { $0.field == .findingIntroduced || $0.field == .findingFixed }
        guard let start = from ?? findingEvents.first?.time else { return [] }
        var open: [String: Severity] = [:]
        var result: [(String, [Severity: Int])] = []
        var index = 0
        var month = Day(unixTime: start)
        month = Day(year: month.year, month: month.month, day: 1)!
        let last = Day(unixTime: until)
        while month <= last {
            let next = month.adding(months: 1)
            while index < findingEvents.count && findingEvents[index].time < next.unixTime {
                let event = findingEvents[index]
                if event.field == .findingIntroduced {
                    open[event.id] = event.to.flatMap(Severity.init(rawValue:))
                } else {
                    open[event.id] = nil
                }
                index += 1
            }
            var counts: [Severity: Int] = [:]
            for severity in open.values { counts[severity, default: 0] += 1 }
            result.append((String(month.description.prefix(7)), counts))
            month = next
        }
        return result
    }
}

extension HistoryAnalysis {
    /// When built-in findings appeared in and left HEAD's templates, judged as of `asOf`
    /// (`threat`: only the findings that threat links at HEAD).
    public func findingEvents(location: ModelLocation, asOf: Int64, since: Int64?, until: Int64?, threat: String? = nil) throws -> [ChangelogEvent] {
        guard !system.templatePaths.isEmpty, let index = evidence as? EvidenceIndex else { return [] }
        let history = FindingHistory(repository: location.repository, modelPrefix: location.prefix, index: index,
                                     mapping: model.config.system.mapping, today: Day(unixTime: asOf))
        var events: [ChangelogEvent]
        do {
            events = try history.events(templates: system.templatePaths, since: since, until: until)
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
        if let threat {
            let links = model.threats.first { ThreatID.same($0.id, threat) }?.vulnerabilities ?? []
            events = events.filter { event in
                guard let spec = try? FindingSpec(parsing: event.id) else { return false }
                let key = FindingKey(rule: spec.rule, template: spec.template ?? "", logicalId: spec.logicalId)
                return links.contains { $0.matches(key) }
            }
        }
        return events
    }
}
