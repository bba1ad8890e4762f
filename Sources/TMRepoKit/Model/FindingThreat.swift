import ThreatModel

/// `tmrepo new --from-finding`: a threat started from a finding. STRIDE from the check's
/// categories (a scanner rule's mapped ones), severity from the check's default (a scanner
/// finding's own), the element that stands for the resource (elements.yml's element linked to
/// it, else the discovered element when elements.yml has it), a title from the check's title and
/// the resource, and a `vulnerabilities:` entry linking the finding (status open). Values given
/// on the command line win.
public enum FindingThreat {
    public static func request(id: String, finding: VulnerabilityFinding, model: Model, title: String?, stride: [StrideCategory]?,
                               severity: Severity?, owner: String?, element: String?) -> ThreatTemplate.Request {
        let check = finding.check
        let subject = finding.logicalId ?? finding.path
        let defaultTitle = (check.map { "\($0.title.replacingOccurrences(of: "`", with: "")): \(subject)" }) ?? "\(finding.rule) on \(subject)"
        let defaultStride = check?.stride ?? (finding.stride.isEmpty ? nil : finding.stride)
        let elements = model.elements ?? []
        let linked = finding.key.resource.flatMap { link in elements.first { $0.resource == link }?.id }
        let discovered = finding.element.flatMap { id in elements.contains { $0.id == id } ? id : nil }
        return ThreatTemplate.Request(id: id, title: title ?? defaultTitle, stride: stride ?? defaultStride,
                                      severity: severity ?? check?.defaultSeverity ?? finding.severity, owner: owner,
                                      element: element ?? linked ?? discovered)
    }

    public static func link(for finding: VulnerabilityFinding) -> VulnerabilityLink {
        VulnerabilityLink(rule: finding.rule, resource: finding.logicalId ?? VulnerabilityLink.wholeTemplate, template: finding.path, status: .open)
    }

    /// Adds the finding's entry to the threat file just written at `path` (model-root relative).
    public static func linkFinding(_ finding: VulnerabilityFinding, store: ModelStore, path: String) throws {
        let absolute = store.absolute(path)
        do {
            var editor = try ThreatFileEditor(bytes: try FileSystem.read(absolute))
            try editor.setVulnerability(link(for: finding))
            try FileSystem.writeAtomically(editor.bytes, to: absolute)
        } catch let error as ThreatFileEditor.EditError {
            throw TMRepoError.editFailed(path: path, reason: error.description)
        }
    }
}
