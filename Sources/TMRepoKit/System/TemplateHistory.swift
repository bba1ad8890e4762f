import TMGit
import ThreatModel

/// Which commits changed a path, in the order every run agrees on (`CommitOrder`): what
/// `TemplateHistory` needs of the commit graph (the engine's evidence index answers it).
protocol PathChangeIndex {
    /// Commits that changed `path` (repository-relative), earliest first.
    func commits(changing path: String) -> [String]
    /// Of those, the ones `commit` does not contain, earliest first.
    func commits(changing path: String, after commit: String) -> [String]
    /// The earliest commit after `commit` that changed a path matching `globs`.
    func firstChange(matching globs: [String], after commit: String) -> String?
    /// Commits that changed a path matching any of `globs`, earliest first.
    func commits(matching globs: [String]) -> [String]
    /// A commit's place in that order (parents before children), for "which came first".
    func order(of commit: String) -> CommitOrder?
}

/// The history of the templates an element's resource is declared in: when its definition
/// changed, when the code it deploys changed, and which commit added a resource. Each template
/// version is parsed once (by blob id). A git failure is kept and thrown by `check()`: an
/// unreadable history must be an error, never "no change".
final class TemplateHistory: ElementChangeOracle {
    private let repository: Repository
    private let modelPrefix: String
    private let index: PathChangeIndex
    /// Code locations per resource, from the templates at HEAD (model-root relative).
    private let codePaths: [ResourceLink: [String]]
    private var versions: [ObjectID: [String: ResourceFingerprint]] = [:]
    private var treeOf: [String: ObjectID] = [:]
    private(set) var failure: Error?

    init(repository: Repository, modelPrefix: String, index: PathChangeIndex, head: DiscoveredSystem) {
        self.repository = repository
        self.modelPrefix = modelPrefix
        self.index = index
        codePaths = head.fingerprints.mapValues(\.codePaths)
    }

    /// Throws the first git failure met while answering.
    func check() throws {
        if let failure { throw failure }
    }

    func firstChange(of element: Element, after commit: String) -> ElementChange? {
        guard failure == nil, let link = element.resource else { return nil }
        do {
            var found: (order: CommitOrder?, change: ElementChange)?
            let before = try fingerprint(link, at: commit)
            for candidate in index.commits(changing: modelPrefix + link.path, after: commit) {
                let now = try fingerprint(link, at: candidate)
                guard now != before else { continue }
                found = (index.order(of: candidate), ElementChange(element: element.id, commit: candidate, part: .definition, path: link.path))
                break
            }
            let code = codePaths[link] ?? []
            if !code.isEmpty, let changed = index.firstChange(matching: code.map { modelPrefix + $0 }, after: commit),
               Self.isEarlier(index.order(of: changed), than: found?.order ?? nil) {
                // The code location that commit changed (several may share it: the first named).
                let path = code.first { index.firstChange(matching: [modelPrefix + $0], after: commit) == changed } ?? code[0]
                found = (index.order(of: changed), ElementChange(element: element.id, commit: changed, part: .code, path: path))
            }
            return found?.change
        } catch {
            failure = error
            return nil
        }
    }

    /// The commit that added `link`'s resource: the first change of its template after the last
    /// version that did not declare it.
    func addedIn(_ link: ResourceLink) throws -> String? {
        let changes = index.commits(changing: modelPrefix + link.path)
        var added: String?
        for commit in changes.reversed() {
            if try fingerprint(link, at: commit) == nil { break }
            added = commit
        }
        return added
    }

    /// Every change of an element's resource definition (after the version that added it) and of
    /// its deployed code, oldest first: (commit, part, path).
    func changes(of element: Element) throws -> [(commit: String, part: ElementChange.Part, path: String)] {
        guard let link = element.resource else { return [] }
        var out: [(order: CommitOrder?, commit: String, part: ElementChange.Part, path: String)] = []
        var previous: ResourceFingerprint?
        // The version that added the resource is its start, not a change; nor is code before it.
        var started = false
        var added: CommitOrder?
        for commit in index.commits(changing: modelPrefix + link.path) {
            let now = try fingerprint(link, at: commit)
            if started, now != previous {
                out.append((index.order(of: commit), commit, .definition, link.path))
            }
            if now != nil, !started { (started, added) = (true, index.order(of: commit)) }
            previous = now
        }
        let code = codePaths[link] ?? []
        if !code.isEmpty, started {
            for commit in index.commits(matching: code.map { modelPrefix + $0 }) {
                let order = index.order(of: commit)
                if Self.isEarlier(added, than: order) { out.append((order, commit, .code, code.joined(separator: ", "))) }
            }
        }
        // A stable sort: definition and code changes of one commit keep that order.
        return out.enumerated().sorted { lhs, rhs in
            lhs.element.order == rhs.element.order ? lhs.offset < rhs.offset : Self.isEarlier(lhs.element.order, than: rhs.element.order)
        }.map { ($0.element.commit, $0.element.part, $0.element.path) }
    }

    /// Whether `order` comes before `other`; a commit the index does not hold (nil) comes last.
    private static func isEarlier(_ order: CommitOrder?, than other: CommitOrder?) -> Bool {
        guard let order else { return false }
        guard let other else { return true }
        return order < other
    }

    /// The element-change events of the changelog: for each element with a resource, each change
    /// of its definition or code (commit time and author read from git).
    func changelogEvents(elements: [Element], since: Int64?, until: Int64?) throws -> [ChangelogEvent] {
        var out: [ChangelogEvent] = []
        for element in elements {
            for change in try changes(of: element) {
                guard let id = ObjectID(hex: change.commit) else { continue }
                let commit = try repository.commit(id)
                let time = commit.committer.time
                if let since, time < since { continue }
                if let until, time > until { continue }
                out.append(ChangelogEvent(id: element.id, field: .elementChanged, from: nil, to: change.part.rawValue, time: time,
                                          commit: change.commit, author: commit.author.email, title: change.path))
            }
        }
        return out
    }

    /// Fills in, for each unmodeled resource, the commit that added it.
    func dateUnmodeled(in system: inout SystemModel) throws {
        for index in system.drift.unmodeled.indices {
            guard let link = system.drift.unmodeled[index].discovered.resource, let added = try addedIn(link),
                  let id = ObjectID(hex: added) else { continue }
            let commit = try repository.commit(id)
            system.drift.unmodeled[index].addedIn = CommitRef(commit: added, time: commit.committer.time, author: Identity(name: commit.author.name, email: commit.author.email))
        }
    }

    /// The resource's fingerprint as `commit` has it; nil when the template or the resource is not there.
    private func fingerprint(_ link: ResourceLink, at commit: String) throws -> ResourceFingerprint? {
        guard let tree = try tree(of: commit),
              let entry = try repository.entryID(in: tree, path: modelPrefix + link.path), entry.kind == .blob else { return nil }
        if let known = versions[entry.id] { return known[link.logicalId] }
        let bytes = try repository.blob(entry.id)
        var prints: [String: ResourceFingerprint] = [:]
        // A version that does not parse declares nothing we can compare; the change after it counts.
        if bytes.count <= Limits.maximumTemplateBytes, let template = CloudFormationTemplate.parse(path: link.path, bytes: bytes).template {
            for resource in template.resources { prints[resource.logicalId] = template.fingerprint(resource) }
        }
        versions[entry.id] = prints
        return prints[link.logicalId]
    }

    private func tree(of commit: String) throws -> ObjectID? {
        if let known = treeOf[commit] { return known }
        guard let id = ObjectID(hex: commit) else { return nil }
        let tree = try repository.commit(id).tree
        treeOf[commit] = tree
        return tree
    }
}

extension EvidenceIndex: PathChangeIndex {}
