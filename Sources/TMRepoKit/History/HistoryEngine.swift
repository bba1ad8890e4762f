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
    /// Whether the last `status` was brought forward from the status memo (for tests and traces).
    var answeredFromStatusMemo = false

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
    /// Each step is its own function below; this one says their order and what runs beside what.
    private func analyzeThrowingGitErrors(at tip: String?, config override: ModelConfig?, timelines: Bool, collecting: Set<ObjectID>,
                                          trustCache: Bool) throws -> HistoryAnalysis {
        var clock = PhaseClock()
        let repository = location.repository
        if repository.isShallow { throw TMRepoError.shallowClone(repository.workingDirectory ?? repository.gitDirectory) }
        let head = try resolveHead(tip)
        let headCommit = try repository.commit(head)
        let config = try override ?? readConfig(tree: headCommit.tree)
        let threatsFolder = location.prefix + config.threatsDirectory
        // The system's templates are searched for on another handle while the rest starts (unless
        // `system.templates` names them, finding them walks the whole tree).
        let templateSearch = try searchTemplates(tree: headCommit.tree, config: config)
        clock.lap("HEAD and its configuration")
        let layout = HistoryCache.Key(threatsFolder: threatsFolder, modelPrefix: location.prefix, idPrefix: config.idPrefix, filter: "")
        let cache = useCache ? HistoryCache.load(from: HistoryCache.location(for: repository), layout: layout, trusted: trustCache) : nil
        if let cache { parsed = cache.parsed }
        clock.lap("load cache (\(cache?.segments.count ?? 0) segments)")

        // A run without timelines or collected revisions (status) continues from the folded snapshot.
        let snapshotPath = useCache && !timelines && collecting.isEmpty ? FoldSnapshot.location(for: repository) : nil
        let background = try startBackgroundWork(head: head, cache: cache, snapshotPath: trustCache ? snapshotPath : nil,
                                                 idPrefix: config.idPrefix, timelines: timelines, collecting: collecting)
        let (model, modelInputs) = try readModel(tree: headCommit.tree, config: config)
        clock.lap("read HEAD model (\(model.threats.count) threats)")
        // The system's templates and the code they deploy are watched like evidence: their changes
        // make the threats on an element due (change-triggered reviews).
        var system = SystemModel.make(found: try templateSearch.value().get(), config: model.config, elements: model.elements ?? [])
        clock.lap("read the system (\(system.templates.count) templates)")
        let filter = HistoryWalker.filter(threatsFolder: threatsFolder, mitigations: model.threats.lazy.map(\.mitigations),
                                          watched: system.watchedPaths.map { location.prefix + $0 })
        let key = HistoryCache.Key(threatsFolder: threatsFolder, modelPrefix: location.prefix, idPrefix: config.idPrefix,
                                   filter: filter.signature)
        let walker = HistoryWalker(repository: repository, threatsFolder: threatsFolder, modelPrefix: location.prefix, filter: filter)
        clock.lap("watched paths")

        // What the other core was doing, needed only from here on (waited for after the work above).
        let speculativeIndex = background.speculation?.index()
        let listedResult = Result { try background.listing?.commits() }
        let speculatedResult = Result { try background.speculation?.result() }
        var listed = try listedResult.get()
        clock.lap("the other core's work")

        let chain = try cache?.chain(for: head, key: key) { try repository.isDescendant(head, of: $0) }
        let start = try foldStart(chain: chain, key: key, restoring: background.restoring,
                                  speculation: background.speculation, speculated: try speculatedResult.get(), speculativeIndex: speculativeIndex)
        if case .snapshot = start { restoredSnapshot = true } else { restoredSnapshot = false }
        clock.lap("cache chain and snapshot (\(start.summary))")

        let records = try collectRecords(walker: walker, head: head, chain: chain, cache: cache, key: key, start: start, listed: listed)
        if chain == nil {
            // What only the full walk needed goes now, before parse and fold allocate (the peak at 100k commits).
            listed = nil
            repository.releaseCaches()
            ProcessMemory.returnFreePages(ifResidentAbove: 256 << 20)
        }
        let commitCount = records.all?.count ?? ((background.restoring?.header.commitCount ?? 0) + records.unfolded.count)
        clock.lap("walk and diff \(chain == nil ? commitCount : records.new.count) commits")
        // Blobs of cached records were parsed when they were recorded; only new ones can be missing.
        let unparsedFrom: [CommitRecord] = chain != nil ? records.new : records.all ?? []
        try parseAll(Set(unparsedFrom.flatMap { $0.threatFiles.flatMap(\.regularBlobs) }), idPrefix: config.idPrefix)
        clock.lap("parse (\(parsed.count) distinct threat files)")

        let (folder, index) = try fold(from: start, records: records, idPrefix: config.idPrefix, timelines: timelines, collecting: collecting)
        clock.lap("fold and evidence index")
        if let cache, Self.mayWriteCache {
            persist(cache: cache, key: key, chain: chain, head: head, records: records, start: start,
                    snapshot: tip == nil ? snapshotPath : nil, folder: folder, index: index, commitCount: commitCount)
            clock.lap("save cache")
        }

        let reducer = folder.reducer
        let problems = reducer.problems.map {
            Diagnostic(path: $0.path, line: 0, column: 0, severity: .warning, rule: $0.rule,
                       message: "\($0.message) (commit \($0.commit.prefix(12)))")
        }
        let templateHistory = system.isEmpty ? nil
            : TemplateHistory(repository: repository, modelPrefix: location.prefix, index: index, head: system.discovered)
        if let templateHistory { try templateHistory.dateUnmodeled(in: &system) }
        var analysis = HistoryAnalysis(head: head, model: model, histories: reducer.histories, lastActivity: reducer.lastActivity,
                                       problems: problems,
                                       evidence: index, commitCount: commitCount, collected: folder.collected,
                                       unreadableSince: folder.unreadableSince, system: system, templateHistory: templateHistory,
                                       historyKey: key, modelInputs: modelInputs)
        if !model.sharedMitigations.isEmpty || !model.assumptions.isEmpty {
            analysis.catalog = try CatalogHistory.facts(repository: repository, head: head, prefix: location.prefix, model: model)
            clock.lap("catalog history")
        }
        return analysis
    }

    /// The commit a run reads: `tip` resolved, or HEAD.
    private func resolveHead(_ tip: String?) throws -> ObjectID {
        if let tip { return try location.repository.resolveCommit(tip) }
        guard let found = try location.repository.headCommit() else { throw TMRepoError.emptyHistory }
        return found
    }

    /// What runs on the other core while the HEAD model is read: the snapshot's decode, the
    /// commit listing (no cache), or a fold of the likely cached chain.
    private struct BackgroundWork {
        let restoring: RestoredFold?
        let listing: BackgroundListing?
        let speculation: SpeculativeFold?
    }

    private func startBackgroundWork(head: ObjectID, cache: HistoryCache?, snapshotPath: String?, idPrefix: String,
                                     timelines: Bool, collecting: Set<ObjectID>) throws -> BackgroundWork {
        let repository = location.repository
        let restoring = try snapshotPath.flatMap { path in
            try cache?.segments.isEmpty == false ? RestoredFold.start(path: path, head: head, repository: repository) : nil
        }
        let listing = (cache?.segments.isEmpty ?? true) ? try BackgroundListing(repository: repository, head: head) : nil
        let speculation = try restoring != nil ? nil : cache.flatMap {
            try SpeculativeFold.start(cache: $0, head: head, repository: repository, parsed: parsed, idPrefix: idPrefix,
                                      timelines: timelines, collecting: collecting)
        }
        return BackgroundWork(restoring: restoring, listing: listing, speculation: speculation)
    }

    /// A fold snapshot that applies to this run, with the cached records after its tip.
    private struct RestoredState {
        let folder: HistoryFolder.State
        let index: EvidenceIndex
        let pending: [CommitRecord]
    }

    /// Where this run's fold starts from.
    private enum FoldStart {
        /// A persisted fold, and the cached records after its tip.
        case snapshot(RestoredState)
        /// The fold of the cached chain another thread made while the model was read.
        case speculated(folder: HistoryFolder, records: [CommitRecord], index: EvidenceIndex)
        /// Nothing: every record is folded here.
        case nothing

        var summary: String {
            switch self {
            case .snapshot(let restored): "restored, \(restored.pending.count) cached commits past it"
            case .speculated: "speculative fold of the chain"
            case .nothing: "not restored"
            }
        }
    }

    /// The snapshot applies when it was folded under this run's key up to a tip in the chain: the
    /// chain's own, or an earlier one (it is not rewritten for every few commits), whose later
    /// segments' records are then folded onto it. Else the speculative fold applies when it folded
    /// exactly the chain this run uses.
    private func foldStart(chain: (segments: [HistoryCache.Segment], tip: ObjectID)?, key: HistoryCache.Key, restoring: RestoredFold?,
                           speculation: SpeculativeFold?, speculated: (folder: HistoryFolder, records: [CommitRecord])?,
                           speculativeIndex: EvidenceIndex?) throws -> FoldStart {
        guard let chain else { return .nothing }
        if let restoring, restoring.header.key == FoldSnapshot.Key(cache: key),
           let position = chain.segments.lastIndex(where: { $0.tip == restoring.header.tip }),
           let state = restoring.result() {
            return .snapshot(RestoredState(folder: state.folder, index: state.index,
                                           pending: try HistoryCache.records(of: Array(chain.segments[(position + 1)...]))))
        }
        if let speculated, let speculativeIndex, let speculation, speculation.holds(tip: chain.tip, key: key) {
            return .speculated(folder: speculated.folder, records: speculated.records, index: speculativeIndex)
        }
        return .nothing
    }

    /// The commit records a run folds.
    private struct Records {
        /// Every record, oldest first; nil when a restored snapshot stands for those before `unfolded`.
        let all: [CommitRecord]?
        /// Those committed since the cached chain's tip (all of them without a chain).
        let new: [CommitRecord]
        /// Those the fold start lacks: a snapshot's pending records and the new ones.
        let unfolded: [CommitRecord]
    }

    private func collectRecords(walker: HistoryWalker, head: ObjectID, chain: (segments: [HistoryCache.Segment], tip: ObjectID)?,
                                cache: HistoryCache?, key: HistoryCache.Key, start: FoldStart, listed: [CommitInfo]?) throws -> Records {
        guard let chain else {
            // No cache, another filter, or history rewritten (rebase, force-push): walk it all,
            // reusing the records of commits that are still there.
            let all = try walker.records(head: head, hiding: [], knownTrees: [:], reuse: cache?.records(matching: key) ?? [:], commits: listed)
            return Records(all: all, new: [], unfolded: all)
        }
        // Only what was committed since the cached tip: O(new commits). Parents' trees
        // outside the new commits are read from git, so the cached records are not needed here.
        let new = chain.tip == head ? [] : try walker.records(head: head, hiding: [chain.tip], knownTrees: [:])
        switch start {
        case .snapshot(let restored):
            return Records(all: nil, new: new, unfolded: restored.pending + new)
        case .speculated(_, let records, _):
            return Records(all: records + new, new: new, unfolded: new)
        case .nothing:
            let all = try HistoryCache.records(of: chain.segments) + new
            return Records(all: all, new: new, unfolded: all)
        }
    }

    /// Folds what `start` lacks onto it, and brings the staleness index up to the same commits.
    private func fold(from start: FoldStart, records: Records, idPrefix: String, timelines: Bool,
                      collecting: Set<ObjectID>) throws -> (HistoryFolder, EvidenceIndex) {
        switch start {
        case .snapshot(let restored):
            var folder = makeFolder(idPrefix: idPrefix, restoring: restored.folder)
            try folder.fold(records.unfolded)
            if !records.unfolded.isEmpty { restored.index.append(records.unfolded) }
            return (folder, restored.index)
        case .speculated(var folder, _, let index):
            try folder.fold(records.unfolded)
            if !records.unfolded.isEmpty { index.append(records.unfolded) }
            return (folder, index)
        case .nothing:
            // The staleness index needs only the records: built on the other core during the fold.
            let all = records.unfolded
            let indexing = BackgroundValue { EvidenceIndex(records: all) }
            var folder = makeFolder(idPrefix: idPrefix, timelines: timelines, collecting: collecting)
            let folded = Result { try folder.fold(all) }
            let index = indexing.value()
            try folded.get()
            return (folder, index)
        }
    }

    /// Appends the new records to the cache (or compacts it), and replaces the fold snapshot
    /// (`snapshot`: its path, for a run at HEAD) once it is behind: never restored, enough commits
    /// folded onto it, or the cache compacted (its tip is then no longer a segment's).
    private func persist(cache: HistoryCache, key: HistoryCache.Key, chain: (segments: [HistoryCache.Segment], tip: ObjectID)?,
                         head: ObjectID, records: Records, start: FoldStart, snapshot: String?, folder: HistoryFolder,
                         index: EvidenceIndex, commitCount: Int) {
        let compacted = cache.save(key: key, chainTip: chain?.tip, head: head, newRecords: records.new) {
            try records.all ?? HistoryCache.records(of: chain?.segments ?? []) + records.new
        }
        let snapshotIsBehind: Bool
        if case .snapshot = start {
            snapshotIsBehind = compacted || records.unfolded.count >= FoldSnapshot.refreshAfterCommits
        } else {
            snapshotIsBehind = true
        }
        if let snapshot, snapshotIsBehind, let state = folder.state {
            FoldSnapshot(header: FoldSnapshot.Header(key: FoldSnapshot.Key(cache: key), tip: head, commitCount: commitCount),
                         folder: state, index: index.state).save(to: snapshot)
        }
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

    /// The templates `tree` holds (as `config.system` names or finds them), read on a second handle
    /// on another thread.
    private func searchTemplates(tree: ObjectID, config: ModelConfig) throws -> BackgroundValue<Result<[TemplateFiles.Found], Error>> {
        nonisolated(unsafe) let repository = try location.repository.reopen()
        let prefix = location.prefix, settings = config.system
        return BackgroundValue {
            let started = DispatchTime.now()
            defer { Trace.note("template search: \(Trace.milliseconds(since: started)) ms") }
            return Result {
                let source = TreeSource(repository: repository, tree: tree, prefix: prefix, name: "HEAD's tree")
                return try TemplateFiles(source: source, settings: settings, declaresTemplate: CloudFormationTemplate.looksLikeTemplate).find()
            }
        }
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

    /// The model as committed in `tree`, threat files parsed once per blob id, and the paths it was
    /// read from (repository-relative: files, folders listed, files looked for; the configuration's too).
    func readModel(tree: ObjectID, config: ModelConfig) throws -> (model: Model, inputs: Set<String>) {
        let recording = RecordingSource(source(tree: tree))
        let model = try ModelReader(source: recording).read(config: config) { entries, config in
            let blobs = entries.compactMap(\.object)
            try self.parseAll(Set(blobs), idPrefix: config.idPrefix)
            return try zip(entries, blobs).map { entry, blob in try self.parse(blob: blob, path: entry.path, idPrefix: config.idPrefix) }
        }
        let root = String(location.prefix.dropLast(location.prefix.hasSuffix("/") ? 1 : 0))
        let inputs = (recording.paths + [ModelConfig.fileName]).map { $0.isEmpty ? root : location.prefix + $0 }
        return (model, Set(inputs))
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
        if let known = parsed.file(blob, at: path) { return known }
        let result = ThreatParser.parse(path: path, bytes: try location.repository.blob(blob), idPrefix: idPrefix)
        parsed.add(blob, result)
        return result
    }

}
