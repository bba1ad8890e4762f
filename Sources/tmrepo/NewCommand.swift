import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a threat file with the next free id and print its path.",
        discussion: """
        Ids are never reused: the next id follows every id in threat files and file names. \
        --from-finding starts the threat from a finding 'tmrepo scan' reports (FINDING as scan \
        names it, e.g. TM-API-004:PaymentWebhookFunction): STRIDE from the check's categories, \
        severity from its default severity, the element that stands for the resource, a title \
        from the check and the resource, and a 'vulnerabilities:' entry linking it (status open); \
        options given explicitly win.

        Example: tmrepo new --title "Forged JWT accepted" --stride spoofing --severity high --owner payments-team
        Example: tmrepo new --from-finding TM-API-004:PaymentWebhookFunction --owner payments-team
        """
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "The threat's one-line title (default: the template's).")
    var title: String?

    @Option(parsing: .upToNextOption, help: "STRIDE categories (\(StrideCategory.allCases.map(\.rawValue).joined(separator: ", "))).")
    var stride: [StrideCategory] = []

    @Option(help: "Severity (\(Severity.allCases.map(\.rawValue).joined(separator: ", "))).")
    var severity: Severity?

    @Option(help: "Owner: a team from .tmrepo.yml or an email.")
    var owner: String?

    @Option(help: "Element id from elements.yml.")
    var element: String?

    @Option(help: "Template name (see --list-templates).")
    var template: String = "default"

    @Option(help: "An extra folder of templates (default.md, threats/*.md).")
    var templates: String?

    @Option(help: ArgumentHelp("Start the threat from this finding of 'tmrepo scan' (e.g. TM-IAM-001:OrderFunction).", valueName: "finding"))
    var fromFinding: String?

    @OptionGroup var sarif: SARIFOptions

    @Flag(help: "List the available templates and exit.")
    var listTemplates = false

    func run() throws {
        if listTemplates {
            let library = TemplateLibrary(explicit: templates, modelRoot: try? model.store().root)
            let all = try library.templates()
            let rows = all.map { [$0.name, $0.severity?.rawValue ?? "-", $0.appliesTo?.rawValue ?? "-",
                                  $0.stride.map(\.letter).joined(), $0.summary] }
            Console.line(TextTable.render(header: ["template", "severity", "applies to", "stride", "summary"], rows: rows))
            // Say where they came from, so a team's missing override folder is not a silent mystery.
            let looked = library.searched.map { library.folders.contains($0) ? $0 : $0 + " (not found)" }
            Console.line("\nfrom: " + (looked + ["the templates built into tmrepo"]).joined(separator: "; "))
            return
        }
        let store = try model.store()
        let config = try store.loadConfig()
        let current = try store.load()
        if let owner, !Linter.isKnownOwner(owner, config: config) {
            throw TMRepoError.invalidArgument("--owner '\(owner)' is neither a team in .tmrepo.yml owners nor an email")
        }
        let library = TemplateLibrary(explicit: templates, modelRoot: store.root)
        let chosen = try library.template(named: template)
        let creator = ThreatCreator(store: store, config: config)
        let id = try creator.nextID(model: current, retired: HistoryIDs.everSeen(store: store, config: config))
        var request = ThreatTemplate.Request(id: id, title: title, stride: stride.isEmpty ? nil : stride, severity: severity, owner: owner,
                                             element: element)
        var finding: VulnerabilityFinding?
        if let fromFinding {
            let spec = try FindingSpec(parsing: fromFinding)
            let today = Day(unixTime: try asOfMoment(nil))
            let findings = try VulnerabilityAssessor(store: store).currentFindings(model: current, today: today, sarif: try sarif.logs())
            guard let found = try VulnerabilityAssessor.resolve(spec, in: findings) else {
                throw TMRepoError.invalidArgument("finding \(spec) is not reported by 'tmrepo scan' now (check the rule and the logical id)")
            }
            finding = found
            request = FindingThreat.request(id: id, finding: found, model: current, title: title, stride: stride.isEmpty ? nil : stride,
                                            severity: severity, owner: owner, element: element)
        }
        let path = try creator.create(template: chosen, request: request)
        if let finding { try FindingThreat.linkFinding(finding, store: store, path: path) }
        Console.line(model.displayPrefix(for: store) + path)
    }
}
