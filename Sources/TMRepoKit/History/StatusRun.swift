import Foundation
import TMGit
import ThreatModel

/// What `tmrepo status` shows: the report, the vulnerability assessment, and what the text
/// and the owner filter need besides.
public struct StatusResult {
    public let report: StatusReport
    public let assessment: AssessmentReport
    /// Commits reachable from HEAD.
    public let commitCount: Int
    /// The configuration committed at HEAD.
    public let config: ModelConfig
    /// What the report was made from (the engine, the facts, the analysed history on a full run), kept to
    /// the end of the run: releasing ten thousand threats' facts and every version of every threat
    /// one by one costs more than making the report, and the process ends right after.
    let madeFrom: Any
}

extension HistoryEngine {
    /// The status at `asOf` (seconds since 1970). A run without SARIF logs starts from the status
    /// memo when it carries over to HEAD (`StatusMemoAdvance`); any other reads the model and its
    /// history, and leaves a memo for the next run when the model is one a memo may stand for.
    public func status(asOf: Int64, sarif: [(path: String, log: SARIFLog)] = []) throws -> StatusResult {
        let repository = location.repository
        let memoPath = useCache && sarif.isEmpty ? StatusMemo.location(for: repository) : nil
        answeredFromStatusMemo = false
        if let memoPath, let result = statusFromMemo(at: memoPath, asOf: asOf) {
            answeredFromStatusMemo = true
            return result
        }
        var clock = PhaseClock()
        let analysis = try analyze(timelines: false)
        clock.lap("history analysed")
        let (report, facts) = try analysis.statusAndFacts(asOf: asOf)
        clock.lap("status facts and report")
        let scan = analysis.scan(asOf: asOf, sarif: sarif)
        let assessment = try analysis.assessment(findings: scan.findings, asOf: asOf, location: location)
        if let memoPath, Self.mayWriteCache {
            if scan.findings.isEmpty, let memo = StatusMemo(analysis: analysis, facts: facts) {
                memo.save(to: memoPath)
                clock.lap("save status memo")
            } else {
                StatusMemo.remove(at: memoPath)
            }
        }
        return StatusResult(report: report, assessment: assessment, commitCount: analysis.commitCount, config: analysis.model.config,
                            madeFrom: (self, analysis, facts))
    }

    /// The status from the memo, or nil (and a full run) when there is none or it does not carry over.
    /// A git error here is not the run's: the full run meets it again and reports it.
    private func statusFromMemo(at path: String, asOf: Int64) -> StatusResult? {
        var clock = PhaseClock()
        let repository = location.repository
        guard let bytes = FileSystem.contents(path) else { return nil }
        clock.lap("read status memo")
        do {
            guard !repository.isShallow, let head = try repository.headCommit() else { return nil }
            let config = try self.config(at: head)
            guard let (facts, commitCount) = try StatusMemoAdvance(repository: repository, location: location)
                .facts(from: bytes, head: head, config: config, asOf: asOf) else {
                Trace.note("status memo does not carry over to HEAD; reading the history")
                return nil
            }
            clock.lap("status memo carried over")
            let report = StatusReport(facts: facts, config: config, head: head.hex, asOf: asOf)
            // A memo's model has no templates to scan and no threat that links a finding: nothing to assess.
            let linking = facts.threats.filter { !$0.threat.vulnerabilities.isEmpty }.map(\.threat)
            let assessment = AssessmentReport(findings: [], threats: linking, asOf: asOf, writtenIn: { _, _ in nil }, lastReview: { _ in nil })
            return StatusResult(report: report, assessment: assessment, commitCount: commitCount, config: config, madeFrom: (self, facts))
        } catch {
            Trace.note("status memo not used: \(error)")
            return nil
        }
    }
}
