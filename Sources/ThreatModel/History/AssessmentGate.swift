extension MergeGate {
    /// The gate's assessment rules over head's findings and threat files (docs/merge-gate.md):
    /// `unassessed-finding` for a finding whose severity is in `policy.block_unassessed` that no
    /// threat links; `finding-contradiction` (with `policy.block_contradictions`) for a threat
    /// mitigated or closed while a finding it links, not accepted, is still reported.
    public static func assessmentFindings(_ report: AssessmentReport, policy: Policy, head: String?) -> [GateFinding] {
        var out: [GateFinding] = []
        if !policy.blockUnassessed.isEmpty {
            for finding in report.unassessed where policy.blockUnassessed.contains(finding.severity) {
                let name = finding.rule + ":" + (finding.logicalId.map { finding.path + "#" + $0 } ?? finding.path)
                out.append(GateFinding(
                    rule: .unassessedFinding, threatID: nil, path: finding.path, line: finding.line, commit: head,
                    message: "\(finding.severity.rawValue) finding \(name) is linked to no threat: \(finding.message)",
                    fix: "tmrepo assess \(name) --threat T-… (or tmrepo new --from-finding \(name)), commit, and review the threat"))
            }
        }
        if policy.blockContradictions {
            for item in report.contradictions {
                let status = item.threatStatus?.rawValue ?? "?"
                out.append(GateFinding(
                    rule: .findingContradiction, threatID: item.threat, path: item.path, line: item.link.location.line, commit: head,
                    message: "\(item.threat) is \(status) but \(item.link.displayName) (recorded \(item.link.status?.rawValue ?? "?")) is still reported"
                        + (item.finding.map { " at \($0.path):\($0.line)" } ?? ""),
                    fix: "fix the weakness, or record it: tmrepo assess \(item.link.displayName) --threat \(item.threat) --accept --reason … --until …; or reopen \(item.threat)"))
            }
        }
        return out
    }
}
