import Foundation
import TMGit
import ThreatModel

/// The status facts of one run at one HEAD, kept so that a run after a few more commits that
/// cannot change them (code changes on top: no model file, no template, no review) reads them
/// instead of the model and the folded history, and only brings the evidence and activity forward
/// (`StatusMemoAdvance`). Kept at `<git common dir>/tmrepo/status.memo`, written whole and
/// atomically by a full run; one that is damaged, of another build, or does not apply is ignored.
///
/// Kept only for models whose report needs nothing else: no system templates (found, or named
/// in `system.templates`), no shared catalog, no vulnerability links, no unreadable threat file,
/// no element-triggered reviews.
/// Any other model always takes the full path.
struct StatusMemo {
    struct Header: Equatable {
        /// The build that wrote it: what its facts mean.
        let tool: String
        /// The commit the facts were gathered at, and how many commits it holds.
        let head: ObjectID
        let commitCount: Int
        /// The threats folder and the walk's filter (the evidence globs) of that run.
        let key: HistoryCache.Key
        let window: ReviewWindow
        /// Repository-relative paths the model was read from (`RecordingSource`).
        let inputs: [String]
    }

    let header: Header
    let facts: StatusFacts

    /// Bump when the layout in `StatusMemoCodec` changes.
    static let formatVersion: UInt64 = 2

    /// This build: its version and formats, and its executable's size and time (a rebuilt or
    /// upgraded binary never reads facts an earlier one gathered).
    static let currentTool: String = {
        var info = stat()
        let binary = stat("/proc/self/exe", &info) == 0 ? "\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" : "unknown"
        return "tmrepo \(TMRepoVersion.current) \(binary), memo \(formatVersion), cache \(HistoryCache.formatVersion)"
    }()

    /// A new commit past the memo is checked only this far back; more, and a full run rewrites it.
    static let maximumCommitsPast = 64

    static func location(for repository: Repository) -> String {
        repository.commonDirectory + "tmrepo/status.memo"
    }

    /// The memo of a full run's status, or nil when its model is not one a memo may stand for.
    init?(analysis: HistoryAnalysis, facts: StatusFacts) {
        // Templates named in the configuration may match files of any name: a later commit adding
        // one would not look like a template to `StatusMemoAdvance`, so such a model keeps no memo.
        guard analysis.system.isEmpty, analysis.model.config.system.templates.isEmpty, facts.system == nil, analysis.catalog == nil,
              facts.unreadable.isEmpty,
              analysis.model.threats.allSatisfy({ $0.vulnerabilities.isEmpty }),
              facts.threats.allSatisfy({ $0.elementChanged == nil }),
              let index = analysis.evidence as? EvidenceIndex else { return nil }
        // Evidence is brought forward only where the full run's index could answer: its verification commit is known.
        for threat in facts.threats {
            for mitigation in threat.mitigations where mitigation.evidenceChange == nil {
                if let since = mitigation.evidenceSince, index.order(of: since) == nil { return nil }
            }
        }
        header = Header(tool: Self.currentTool, head: analysis.head, commitCount: analysis.commitCount, key: analysis.historyKey,
                        window: facts.window, inputs: analysis.modelInputs.sorted())
        self.facts = facts
    }

    init(header: Header, facts: StatusFacts) {
        self.header = header
        self.facts = facts
    }

    /// Writes it in place of the one at `path` (atomically); a failure only costs the next run time.
    func save(to path: String) {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileSystem.writeAtomically(StatusMemoCodec.encode(self), to: path)
        } catch {
            Trace.note("could not write the status memo at \(path): \(error)")
        }
    }

    /// Removes a memo that no longer applies, so that no later run reads it.
    static func remove(at path: String) {
        if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
    }
}
