import Foundation
import TMGit
import ThreatModel

/// Brings a status memo from the commit it was made at to HEAD, or says it cannot. It can when
/// HEAD is that commit, or follows it by a chain of ordinary commits (one parent each) that touch
/// no path the model was read from, nothing under the threats folder, no file named like a
/// template and nothing under `.tmrepo`, and that review no threat. Such commits change no
/// threat's history: only the evidence they touched (a mitigation verified before them goes stale
/// on the first that changed it, the order every run agrees on since each descends from the
/// last) and who was last active.
struct StatusMemoAdvance {
    let repository: Repository
    let location: ModelLocation

    /// The facts at `head`, with the commits past the memo; nil when the memo does not carry over.
    func facts(from bytes: [UInt8], head: ObjectID, config: ModelConfig,
               asOf: Int64) throws -> (facts: StatusFacts, commitCount: Int)? {
        guard let (header, body) = StatusMemoCodec.header(bytes) else {
            Trace.note("status memo is damaged or from another version; ignoring it")
            return nil
        }
        let threatsFolder = location.prefix + config.threatsDirectory
        guard header.tool == StatusMemo.currentTool, header.window.contains(asOf), header.key.threatsFolder == threatsFolder,
              header.key.modelPrefix == location.prefix, header.key.idPrefix == config.idPrefix else { return nil }
        // The threats are decoded on the other core while the commits past the memo are checked.
        let decoding = BackgroundValue {
            let started = DispatchTime.now()
            defer { Trace.note("status memo: decoded in \(Trace.milliseconds(since: started)) ms") }
            return Result { var reader = body; return try StatusMemoCodec.facts(&reader, header: header) }
        }
        let started = DispatchTime.now()
        guard let past = try commitsPast(header.head, to: head), try past.allSatisfy({ try leavesModelAlone($0, header: header) }) else {
            return nil
        }
        Trace.note("status memo: \(past.count) commits past it checked in \(Trace.milliseconds(since: started)) ms")
        var facts = try decoding.take().get()
        guard facts.threats.allSatisfy({ $0.mitigations.map(\.id) == $0.threat.mitigations.filter(\.canGoStale).map(\.id) }),
              let records = try records(of: past, head: head, header: header, threats: facts.threats) else { return nil }
        Self.bringForward(&facts, records: records)
        return (facts, header.commitCount + records.count)
    }

    /// The commits past the memo as a full run records them (the same filter, so the same changed
    /// paths); nil when the memo's filter is not the one its threats give, or a commit reviews a threat.
    private func records(of past: [(commit: CommitInfo, parentTree: ObjectID)], head: ObjectID, header: StatusMemo.Header,
                         threats: [ThreatStatusFacts]) throws -> [CommitRecord]? {
        // A memo's model has no system, so nothing else is watched.
        let filter = HistoryWalker.filter(threatsFolder: header.key.threatsFolder, mitigations: threats.lazy.map(\.threat.mitigations), watched: [])
        guard filter.signature == header.key.filter else { return nil }
        guard !past.isEmpty else { return [] }
        let walker = HistoryWalker(repository: repository, threatsFolder: header.key.threatsFolder, modelPrefix: location.prefix, filter: filter)
        // The chain is already read: no second listing of it.
        let records = try walker.records(head: head, hiding: [header.head], knownTrees: [header.head: past[0].parentTree],
                                         commits: past.map(\.commit))
        return records.allSatisfy({ $0.threatFiles.isEmpty && $0.reviewedIDs.isEmpty }) ? records : nil
    }

    /// The commits from `memoHead` (excluded) to `head`, oldest first, with their parents' trees;
    /// nil when `head` is not reached from it through single-parent commits within the limit.
    private func commitsPast(_ memoHead: ObjectID, to head: ObjectID) throws -> [(commit: CommitInfo, parentTree: ObjectID)]? {
        var chain: [CommitInfo] = []
        var at = head
        while at != memoHead {
            guard chain.count < StatusMemo.maximumCommitsPast else { return nil }
            let commit = try repository.commit(at)
            guard commit.parents.count == 1 else { return nil }
            chain.append(commit)
            at = commit.parents[0]
        }
        guard !chain.isEmpty else { return [] }
        chain.reverse()
        var parentTree = try repository.commit(memoHead).tree
        var out: [(commit: CommitInfo, parentTree: ObjectID)] = []
        for commit in chain {
            out.append((commit, parentTree))
            parentTree = commit.tree
        }
        return out
    }

    /// Whether a commit leaves the model, its history and the system as they were.
    private func leavesModelAlone(_ past: (commit: CommitInfo, parentTree: ObjectID), header: StatusMemo.Header) throws -> Bool {
        for change in try repository.changes(from: past.parentTree, to: past.commit.tree) {
            let path = change.path
            if path.hasPrefix(header.key.threatsFolder) { return false }
            if header.inputs.contains(where: { $0.isEmpty || path == $0 || path.hasPrefix($0 + "/") || $0.hasPrefix(path + "/") }) { return false }
            let parts = path.split(separator: "/")
            if parts.contains(where: { $0.hasPrefix(".tmrepo") }) { return false }
            if TemplateFiles.mayBeTemplate(String(parts.last ?? "")) { return false }
        }
        return true
    }

    /// Marks the mitigations whose evidence the new commits changed, and notes who committed them.
    static func bringForward(_ facts: inout StatusFacts, records: [CommitRecord]) {
        guard !records.isEmpty else { return }
        var firstByPattern: [String: Int?] = [:]
        func firstChange(_ pattern: String) -> Int? {
            if let known = firstByPattern[pattern] { return known }
            let glob = Glob(pattern)
            let prefix = glob.literalPrefix
            let found = records.firstIndex { $0.changedPaths.contains { EvidenceIndex.changedPath($0, matches: glob, below: prefix) } }
            firstByPattern[pattern] = found
            return found
        }
        for index in facts.threats.indices
        where facts.threats[index].mitigations.contains(where: { $0.evidenceSince != nil && $0.evidenceChange == nil }) {
            // The facts hold one entry per mitigation that can go stale, in the threat's order.
            var position = 0
            for mitigation in facts.threats[index].threat.mitigations where mitigation.canGoStale {
                defer { position += 1 }
                let known = facts.threats[index].mitigations[position]
                guard known.evidenceSince != nil, known.evidenceChange == nil,
                      let first = mitigation.evidence.compactMap(firstChange).min() else { continue }
                facts.threats[index].mitigations[position].evidenceChange = records[first].id.hex
            }
        }
        for record in records {
            for email in [record.author.email, record.committer.email] {
                HistoryReducer.note(activityOf: email, at: record.time, in: &facts.lastActivity)
            }
        }
    }
}
