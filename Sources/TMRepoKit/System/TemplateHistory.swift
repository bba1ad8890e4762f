import TMGit
import ThreatModel

/// Which commits changed a path, in the history engine's order: what `TemplateHistory` needs of
/// the commit graph (the engine's evidence index answers it).
protocol PathChangeIndex {
    /// Commits that changed `path` (repository-relative), oldest first.
    func commits(changing path: String) -> [String]
    /// Of those, the ones `commit` does not contain, oldest first.
    func commits(changing path: String, after commit: String) -> [String]
    /// The first commit after `commit` that changed a path matching `globs`.
    func firstChange(matching globs: [String], after commit: String) -> String?
    /// Commits that changed a path matching any of `globs`, oldest first.
    func commits(matching globs: [String]) -> [String]
    /// Position in topological order (parents first), for "which came first".
    func position(of commit: String) -> Int?
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
            var found: (position: Int, change: ElementChange)?
            let before = try fingerprint(link, at: commit)
            for candidate in index.commits(changing: modelPrefix + link.path, after: commit) {
                let now = try fingerprint(link, at: candidate)
                guard now != before else { continue }
                found = (index.position(of: candidate) ?? .max, ElementChange(element: element.id, commit: candidate, part: .definition, path: link.path))
                break
            }
            let code = codePaths[link] ?? []
            if !code.isEmpty, let changed = index.firstChange(matching: code.map { modelPrefix + $0 }, after: commit) {
                let position = index.position(of: changed) ?? .max
                if position < found?.position ?? .max {
                    let path = code.first { Glob(modelPrefix + $0).matches(changed) } ?? code[0]
                    found = (position, ElementChange(element: element.id, commit: changed, part: .code, path: path))
                }
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
        var out: [(position: Int, commit: String, part: ElementChange.Part, path: String)] = []
        var previous: ResourceFingerprint?
        // The version that added the resource is its start, not a change; nor is code before it.
        var added: Int?
        for commit in index.commits(changing: modelPrefix + link.path) {
            let now = try fingerprint(link, at: commit)
            if added != nil, now != previous {
                out.append((index.position(of: commit) ?? .max, commit, .definition, link.path))
            }
            if now != nil, added == nil { added = index.position(of: commit) ?? .max }
            previous = now
        }
        let code = codePaths[link] ?? []
        if !code.isEmpty, let added {
            for commit in index.commits(matching: code.map { modelPrefix + $0 }) {
                let position = index.position(of: commit) ?? .max
                if position > added { out.append((position, commit, .code, code.joined(separator: ", "))) }
            }
        }
        return out.sorted { $0.position < $1.position }.map { ($0.commit, $0.part, $0.path) }
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
