extension MergeGate {
    /// The gate's assessment rules over head's findings and threat files (docs/merge-gate.md):
    /// `unassessed-finding` for a finding whose severity is in `policy.block_unassessed` that no
    /// threat links, or that threats link only as `fixed` or by expired acceptances (lapsed);
    /// `finding-contradiction` (with `policy.block_contradictions`) for a threat
    /// mitigated or closed while a finding it links, not accepted (or accepted until a day that has
    /// passed), is still reported.
    public static func assessmentFindings(_ report: AssessmentReport, policy: Policy, head: String?) -> [GateFinding] {
        var out: [GateFinding] = []
        if !policy.blockUnassessed.isEmpty {
            for finding in report.unassessed where policy.blockUnassessed.contains(finding.severity) {
                let name = finding.rule + ":" + (finding.logicalId.map { finding.path + "#" + $0 } ?? finding.path)
                out.append(GateFinding(
                    rule: .unassessedFinding, threatID: nil, path: finding.path, line: finding.line, commit: head,
                    message: "\(finding.severity.rawValue) finding \(name) is linked to no threat: \(finding.message)"
                        + Self.ambiguityNote(report.ambiguous.filter { $0.finding?.key == finding.key }, finding: finding),
                    fix: "tmrepo assess \(name) --threat T-… (or tmrepo new --from-finding \(name)), commit, and review the threat"))
            }
            // Linked, but only as fixed (it is back) or by acceptances that expired: not assessed as it stands.
            for finding in report.lapsed where policy.blockUnassessed.contains(finding.severity) {
                let name = finding.rule + ":" + (finding.logicalId.map { finding.path + "#" + $0 } ?? finding.path)
                let holders = Set(report.back.filter { $0.finding?.key == finding.key }.map(\.threat)
                    + report.expired.filter { $0.link.matches(finding.key) }.map(\.threat)).sorted()
                out.append(GateFinding(
                    rule: .unassessedFinding, threatID: holders.first, path: finding.path, line: finding.line, commit: head,
                    message: "\(finding.severity.rawValue) finding \(name) is reported, but no assessment of it holds (recorded fixed, or accepted "
                        + "until a day that has passed, by \(holders.joined(separator: ", "))): \(finding.message)",
                    fix: "fix the weakness, or assess it again: tmrepo assess \(name) --threat \(holders.first ?? "T-…") (open, or --accept --reason … --until …), "
                        + "commit, and review the threat"))
            }
        }
        if policy.blockContradictions {
            for item in report.contradictions {
                let status = item.threatStatus?.rawValue ?? "?"
                out.append(GateFinding(
                    rule: .findingContradiction, threatID: item.threat, path: item.path, line: item.link.location.line, commit: head,
                    message: "\(item.threat) is \(status) but \(item.link.displayName) (recorded \(item.link.status?.rawValue ?? "?")\(item.link.status == .accepted ? ", expired" : "")) is still reported"
                        + (item.finding.map { " at \($0.path):\($0.line)" } ?? ""),
                    fix: "fix the weakness, or record it: tmrepo assess \(item.link.displayName) --threat \(item.threat) --accept --reason … --until …; or reopen \(item.threat)"))
            }
        }
        return out
    }

    /// Why a finding some threat names still counts as unassessed: the entries name no template.
    static func ambiguityNote(_ entries: [LinkedFinding], finding: VulnerabilityFinding) -> String {
        guard !entries.isEmpty else { return "" }
        let threats = Set(entries.map(\.threat)).sorted().joined(separator: ", ")
        return " (\(threats) link\(entries.count == 1 ? "s" : "") \(entries[0].link.displayName) without a template, and \(finding.logicalId ?? "it") "
            + "is reported in several templates: add template: \(finding.path) to the entry)"
    }
}
