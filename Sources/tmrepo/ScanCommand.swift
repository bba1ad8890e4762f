import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

/// `--fail-on`: a severity, or never.
enum FailOn: String, CaseIterable, ExpressibleByArgument {
    case never, critical, high, medium, low, info

    var severity: Severity? { Severity(rawValue: rawValue) }
}

extension ScanFormat: ExpressibleByArgument {}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find vulnerabilities in your AWS SAM / CloudFormation templates, and map other scanners' SARIF onto them.",
        discussion: """
        Runs the built-in checks (docs/checks.md: least-privilege IAM, secrets in Lambda \
        environment variables, API authorization, throttling and access logs, function URLs, \
        CloudTrail, S3 public access, encryption, deprecated runtimes) over the model's templates \
        (found as 'tmrepo discover' finds them) or over --template files without a model. Every \
        finding names its template, line, logical id and the element it belongs to; its key \
        (check id, template, logical id, property) stays the same across commits. \
        --sarif reads the results of checkov, cfn-lint, cfn_nag, cdk-nag or any SARIF 2.1.0 \
        producer and maps each to the resource whose lines hold it. \
        Exit 0, or 1 when a finding is at or above --fail-on (default: never); 2 on a usage, \
        template or SARIF error.

        Example: tmrepo scan --format sarif --fail-on high > tmrepo.sarif
        """
    )

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("template"), help: ArgumentHelp("Scan this template instead of the model's (repeatable); works without a model.", valueName: "file"))
    var templates: [String] = []

    @Option(name: .customLong("sarif"), help: ArgumentHelp("Also read this SARIF 2.1.0 file from another scanner (repeatable).", valueName: "file"))
    var sarif: [String] = []

    @Option(help: "Output: text, json or sarif (SARIF 2.1.0).")
    var format: ScanFormat = .text

    @Option(help: "Exit 1 when a finding is at or above this severity: critical, high, medium, low, info or never.")
    var failOn: FailOn = .never

    @Option(help: "Judge runtime deprecation as of this date (YYYY-MM-DD); default: today ($TMREPO_AS_OF is honoured).")
    var asOf: String?

    func run() throws {
        let today = Day(unixTime: try asOfMoment(asOf))
        let logs = try sarif.map { path in (path: path, log: try VulnerabilityScan.readSARIF(path)) }
        let system: SystemModel
        var prefix = ""
        if !templates.isEmpty, (try? model.store()) == nil {
            let found = try templates.map { path in TemplateFiles.Found.file(ModelFile(path: path, bytes: try FileSystem.read(path))) }
            system = SystemModel.make(found: found, config: ModelConfig(), elements: [])
        } else {
            let store = try model.store()
            let loaded = try store.load()
            prefix = model.displayPrefix(for: store)
            system = try templates.isEmpty
                ? SystemModel.read(from: store.source, config: loaded.config, elements: loaded.elements ?? [])
                : SystemModel.make(found: templates.map { path in
                    .file(ModelFile(path: DiscoverCommand.relative(path, to: store.root), bytes: try FileSystem.read(path)))
                }, config: loaded.config, elements: loaded.elements ?? [])
            if system.templatePaths.isEmpty && logs.isEmpty {
                throw TMRepoError.invalidArgument("no AWS SAM or CloudFormation template found below \(store.root); name them in .tmrepo.yml (system: templates: [path/to/template.yaml]) or pass --template")
            }
        }
        let result = VulnerabilityScan.run(system: system, today: today, sarif: logs)
        let rendered = ScanFormatter.render(result, format: format, pathPrefix: prefix, style: .forStandardOutput())
        if format == .text { Console.out(rendered) } else { Console.out(Array(rendered.utf8)) }
        if format != .text { for problem in result.problems { Console.error(problem.formatted) } }
        if !result.problems.isEmpty { Console.finish(2) }
        if let threshold = failOn.severity, !result.findings(atLeast: threshold).isEmpty { Console.finish(1) }
    }
}
