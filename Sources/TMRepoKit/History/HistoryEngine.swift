import Foundation
import TMGit
import ThreatModel

/// Reads the whole threat-model history reachable from HEAD: reviews, field changes,
/// verification commits, and the code changes evidence globs are checked against.
public final class HistoryEngine {
    public let location: ModelLocation
    private var parsed = ParsedStore()

    /// false: neither read nor write the persistent cache (TMREPO_NO_CACHE=1 does the same).
    public let useCache: Bool
    /// Whether the last run continued from a fold snapshot (for tests and traces).
    private(set) var restoredSnapshot = false

    public init(location: ModelLocation, useCache: Bool = ProcessInfo.processInfo.environment["TMREPO_NO_CACHE"] == nil) {
        self.location = location
        self.useCache = useCache
    }

    /// `timelines: false` skips building per-threat event lists (status does not show them).
    /// `collecting`: commits whose revisions to return (the merge gate's range).
    /// `config`: read the model with this configuration instead of the one committed at the tip
    /// (the merge gate reads a range with its base's shape).
    public func analyze(at tip: String? = nil, config: ModelConfig? = nil, timelines: Bool = true,
                        collecting: Set<ObjectID> = []) throws -> HistoryAnalysis {
        do {
            return try analyzeThrowingGitErrors(at: tip, config: config, timelines: timelines, collecting: collecting, trustCache: true)
        } catch let error as GitError where useCache {
            // The cache may name commits or trees that are gone (a gc after a reset, objects a
            // rejected push left in quarantine): recompute without it, never fail or answer from it.
            // A failure that has nothing to do with the cache fails the same way again below.
            Trace.note("history cache refers to a missing object (\(error)); recomputing without it")
            parsed = ParsedStore()
            do {
                return try analyzeThrowingGitErrors(at: tip, config: config, timelines: timelines, collecting: collecting, trustCache: false)
            } catch let error as GitError {
                throw TMRepoError.from(error)
            }
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
    }

    /// Whether this process may write the cache. Objects a pre-receive hook sees may be in git's
    /// quarantine, which git drops when the push is refused: nothing read then is persisted.
    static var mayWriteCache: Bool {
        ProcessInfo.processInfo.environment["GIT_QUARANTINE_PATH"] == nil
    }

    /// One run: the cached chain (if any) and a walk of what it lacks give a record per commit;
    /// records become revisions and fold into histories; the records also give the staleness index.
    private func analyzeThrowingGitErrors(at tip: String?, config override: ModelConfig?, timelines: Bool, collecting: Set<ObjectID>,
                                          trustCache: Bool) throws -> HistoryAnalysis {
        let repository = location.repository
        if repository.isShallow { throw TMRepoError.shallowClone(repository.workingDirectory ?? repository.gitDirectory) }
        let head: ObjectID
        if let tip {
            head = try repository.resolveCommit(tip)
        } else {
            guard let found = try repository.headCommit() else { throw TMRepoError.emptyHistory }
            head = found
        }
        let headCommit = try repository.commit(head)
        let config = try override ?? readConfig(tree: headCommit.tree)
        var clock = PhaseClock()
        let threatsFolder = location.prefix + config.threatsDirectory
        let layout = HistoryCache.Key(threatsFolder: threatsFolder, modelPrefix: location.prefix, idPrefix: config.idPrefix, filter: "")
        let cache = useCache ? HistoryCache.load(from: HistoryCache.location(for: repository), layout: layout, trusted: trustCache) : nil
        if let cache { parsed = cache.parsed }
        clock.lap("load cache (\(cache?.segments.count ?? 0) segments)")
        // A run without timelines or collected revisions (status) continues from the folded snapshot.
        let snapshotPath = useCache && !timelines && collecting.isEmpty ? FoldSnapshot.location(for: repository) : nil
        let restoring = try snapshotPath.flatMap { path in
            try trustCache && cache?.segments.isEmpty == false ? RestoredFold.start(path: path, head: head, repository: repository) : nil
        }
        // While the HEAD model is read: list the commits (no cache), or decode the snapshot, or fold the likely cached chain.
        let listing = (cache?.segments.isEmpty ?? true) ? try BackgroundListing(repository: repository, head: head) : nil
        let speculation = try restoring != nil ? nil : cache.flatMap {
            try SpeculativeFold.start(cache: $0, head: head, repository: repository, parsed: parsed, idPrefix: config.idPrefix,
                                      timelines: timelines, collecting: collecting)
        }
        let model = try readModel(tree: headCommit.tree, config: config)
        clock.lap("read HEAD model (\(model.threats.count) threats)")
        let speculativeIndex = speculation?.index()
        let listedResult = Result { try listing?.commits() }
        let speculatedResult = Result { try speculation?.result() }
        var listed = try listedResult.get()

        // The system's templates and the code they deploy are watched like evidence: their changes
        // make the threats on an element due (change-triggered reviews).
        var system = try readSystem(tree: headCommit.tree, model: model)
        let evidence = model.threats.flatMap { $0.mitigations.flatMap(\.evidence) } + system.watchedPaths.map { location.prefix + $0 }
        let filter = HistoryWalker.filter(threatsFolder: threatsFolder, evidence: evidence)
        let key = HistoryCache.Key(threatsFolder: threatsFolder, modelPrefix: location.prefix, idPrefix: config.idPrefix,
                                   filter: filter.signature)
        let walker = HistoryWalker(repository: repository, threatsFolder: threatsFolder, modelPrefix: location.prefix, filter: filter)
        clock.lap("system and watched paths (\(evidence.count))")
        let chain = try cache?.chain(for: head, key: key) { try repository.isDescendant(head, of: $0) }
        let speculated = try speculatedResult.get()
        // The snapshot applies when it was folded under this run's key up to a tip in the chain:
        // the chain's own, or an earlier one (it is not rewritten for every few commits), whose
        // later segments' records are then folded onto it.
        let restored = try restoring.flatMap { restoring -> RestoredState? in
            guard let chain, restoring.header.key == FoldSnapshot.Key(cache: key),
                  let position = chain.segments.lastIndex(where: { $0.tip == restoring.header.tip }),
                  let state = restoring.result() else { return nil }
            return RestoredState(folder: state.folder, index: state.index,
                                 pending: try HistoryCache.records(of: Array(chain.segments[(position + 1)...])))
        }
        restoredSnapshot = restored != nil
        clock.lap("cache chain and snapshot (\(restored.map { "restored, \($0.pending.count) cached commits past it" } ?? "not restored"))")
        // The speculative fold applies when it folded exactly the chain this run uses.
        let holding: (folder: HistoryFolder, records: [CommitRecord], index: EvidenceIndex)?
        if let chain, let speculated, let speculativeIndex, let speculation, speculation.holds(tip: chain.tip, key: key) {
            holding = (speculated.folder, speculated.records, speculativeIndex)
        } else {
            holding = nil
        }
        // Every record, oldest first; nil when a restored snapshot stands for those before the new ones.
        var records: [CommitRecord]?
        var newRecords: [CommitRecord] = []
        if let chain {
            // Only what was committed since the cached tip: O(new commits). Parents' trees
            // outside the new commits are read from git, so the cached records are not needed here.
            if chain.tip != head {
                newRecords = try walker.records(head: head, hiding: [chain.tip], knownTrees: [:])
            }
            records = restored != nil ? nil : try (holding?.records ?? HistoryCache.records(of: chain.segments)) + newRecords
        } else {
            // No cache, another filter, or history rewritten (rebase, force-push): walk it all,
            // reusing the records of commits that are still there.
            records = try walker.records(head: head, hiding: [], knownTrees: [:], reuse: cache?.records(matching: key) ?? [:], commits: listed)
        }
        if chain == nil {
            // What only the full walk needed goes now, before parse and fold allocate (the peak at 100k commits).
            listed = nil
            repository.releaseCaches()
            ProcessMemory.returnFreePages()
        }
        let commitCount = records?.count ?? (restoring!.header.commitCount + restored!.pending.count + newRecords.count)
        clock.lap("walk and diff \(chain == nil ? commitCount : newRecords.count) commits")
        // Blobs of cached records were parsed when they were recorded; only new ones can be missing.
        let unparsedFrom = chain != nil ? newRecords : records ?? []
        try parseAll(Set(unparsedFrom.flatMap { $0.threatFiles.flatMap(\.regularBlobs) }), idPrefix: config.idPrefix)
        clock.lap("parse (\(parsed.count) distinct threat files)")

        var folder: HistoryFolder
        let index: EvidenceIndex
        if let restored {
            let unfolded = restored.pending + newRecords
            folder = makeFolder(idPrefix: config.idPrefix, restoring: restored.folder)
            try folder.fold(unfolded)
            if !unfolded.isEmpty { restored.index.append(unfolded) }
            index = restored.index
        } else if let holding {
            folder = holding.folder
            try folder.fold(newRecords)
            if !newRecords.isEmpty { holding.index.append(newRecords) }
            index = holding.index
        } else {
            // The staleness index needs only the records: built on the other core during the fold.
            let all = records ?? []
            let indexing = BackgroundValue { EvidenceIndex(records: all) }
            folder = makeFolder(idPrefix: config.idPrefix, timelines: timelines, collecting: collecting)
            let folded = Result { try folder.fold(all) }
            index = indexing.value()
            try folded.get()
        }
        let reducer = folder.reducer
        clock.lap("fold and evidence index")
        let problems = reducer.problems.map {
            Diagnostic(path: $0.path, line: 0, column: 0, severity: .warning, rule: $0.rule,
                       message: "\($0.message) (commit \($0.commit.prefix(12)))")
        }
        if let cache, Self.mayWriteCache {
            let compacted = cache.save(key: key, chainTip: chain?.tip, head: head, newRecords: newRecords) {
                try records ?? HistoryCache.records(of: chain?.segments ?? []) + newRecords
            }
            // Only a run at HEAD replaces the snapshot (one at an older tip would push out HEAD's).
            // A restored one is replaced once enough commits were folded onto it, or when the
            // cache was compacted (its tip is then no longer a segment's).
            let snapshotIsBehind = restored.map { restored in
                compacted || restored.pending.count + newRecords.count >= FoldSnapshot.refreshAfterCommits
            } ?? true
            if let snapshotPath, tip == nil, snapshotIsBehind, let state = folder.state {
                FoldSnapshot(header: FoldSnapshot.Header(key: FoldSnapshot.Key(cache: key), tip: head, commitCount: commitCount),
                             folder: state, index: index.state).save(to: snapshotPath)
            }
            clock.lap("save cache")
        }
        let templateHistory = system.isEmpty ? nil
            : TemplateHistory(repository: repository, modelPrefix: location.prefix, index: index, head: system.discovered)
        if let templateHistory { try templateHistory.dateUnmodeled(in: &system) }
        var analysis = HistoryAnalysis(head: head, model: model, histories: reducer.histories, lastActivity: reducer.lastActivity,
                                       problems: problems,
                                       evidence: index, commitCount: commitCount, collected: folder.collected,
                                       unreadableSince: folder.unreadableSince, system: system, templateHistory: templateHistory)
        if !model.sharedMitigations.isEmpty || !model.assumptions.isEmpty {
            analysis.catalog = try CatalogHistory.facts(repository: repository, head: head, prefix: location.prefix, model: model)
            clock.lap("catalog history")
        }
        return analysis
    }

    /// A fold snapshot that applies to this run, with the cached records after its tip.
    private struct RestoredState {
        let folder: HistoryFolder.State
        let index: EvidenceIndex
        let pending: [CommitRecord]
    }

    /// A folder that parses blobs missing from the store on this engine's repository handle.
    /// With `restoring`: one that continues a persisted fold (no timelines, nothing collected).
    private func makeFolder(idPrefix: String, timelines: Bool = false, collecting: Set<ObjectID> = [],
                            restoring state: HistoryFolder.State? = nil) -> HistoryFolder {
        let repository = location.repository
        let load = { (blob: ObjectID, path: String) in ThreatParser.parse(path: path, bytes: try repository.blob(blob), idPrefix: idPrefix) }
        if let state { return HistoryFolder(restoring: state, parsed: parsed, idPrefix: idPrefix, load: load) }
        return HistoryFolder(parsed: parsed, idPrefix: idPrefix, recordEvents: timelines, collect: collecting, load: load)
    }

    /// The system as `tree` has it, read with the model's configuration and compared with its elements.
    private func readSystem(tree: ObjectID, model: Model) throws -> SystemModel {
        let source = TreeSource(repository: location.repository, tree: tree, prefix: location.prefix, name: "HEAD's tree")
        return try SystemModel.read(from: source, config: model.config, elements: model.elements ?? [])
    }

    /// The configuration committed at `commit`.
    public func config(at commit: ObjectID) throws -> ModelConfig {
        do {
            return try readConfig(tree: try location.repository.commit(commit).tree)
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
    }

    /// The model as committed in `tree`.
    func source(tree: ObjectID, commit: ObjectID? = nil) -> TreeSource {
        TreeSource(repository: location.repository, tree: tree, prefix: location.prefix,
                   name: commit.map { "commit \($0.hex.prefix(12))" } ?? "the commit's tree")
    }

    /// `.tmrepo.yml` as committed; errors in it stop the run (exit 2).
    private func readConfig(tree: ObjectID) throws -> ModelConfig {
        guard let config = try ModelReader(source: source(tree: tree)).config() else {
            throw TMRepoError.modelNotFound(searchedFrom: "the commit's tree at '\(location.prefix + ModelConfig.fileName)' (commit the model first)")
        }
        return config
    }

    /// The model as committed in `tree`, threat files parsed once per blob id.
    func readModel(tree: ObjectID, config: ModelConfig) throws -> Model {
        try ModelReader(source: source(tree: tree)).read(config: config) { entries, config in
            let blobs = entries.compactMap(\.object)
            try self.parseAll(Set(blobs), idPrefix: config.idPrefix)
            return try zip(entries, blobs).map { entry, blob in try self.parse(blob: blob, path: entry.path, idPrefix: config.idPrefix) }
        }
    }

    /// Parses blobs not parsed yet, split across the machine's cores (each with its own handle).
    private func parseAll(_ blobs: Set<ObjectID>, idPrefix: String) throws {
        let todo = blobs.filter { !parsed.contains($0) }.sorted()
        guard !todo.isEmpty else { return }
        let workers = min(max(1, ProcessInfo.processInfo.activeProcessorCount), 4, max(1, todo.count / 200))
        let slots = Slots<Result<[(ObjectID, ParsedThreatFile)], Error>>(count: workers)
        nonisolated(unsafe) let main = location.repository
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            slots[worker] = Result {
                let repository = worker == 0 ? main : try main.reopen()
                return try stride(from: worker, to: todo.count, by: workers).map { index in
                    let blob = todo[index]
                    // Paths are filled in by `parse(blob:path:)`; the parse itself does not depend on them.
                    return (blob, ThreatParser.parse(path: "", bytes: try repository.blob(blob), idPrefix: idPrefix))
                }
            }
        }
        for slot in slots.values {
            for (blob, file) in try slot!.get() { parsed.add(blob, file) }
        }
    }

    /// A threat file by blob id, from the parses this engine already holds (the gate reads other
    /// commits' versions through it, so a blob is parsed once per run).
    func parse(blob: ObjectID, path: String, idPrefix: String) throws -> ParsedThreatFile {
        if let known = parsed[blob] { return known.moved(to: path) }
        let result = ThreatParser.parse(path: path, bytes: try location.repository.blob(blob), idPrefix: idPrefix)
        parsed.add(blob, result)
        return result
    }

}
