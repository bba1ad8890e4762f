import ArgumentParser
import ThreatModel
import TMRepoKit

struct DiscoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Add the elements and data flows your AWS SAM / CloudFormation templates declare to elements.yml.",
        discussion: """
        Reads the templates named in .tmrepo.yml (system: templates:) or, by default, every \
        template.yaml / template.yml / template.json and every YAML or JSON file that declares \
        AWSTemplateFormatVersion or the SAM transform. Resources become elements by the table in \
        docs/system.md (extend it with system: resource_kinds:); SAM events, event source mappings, \
        subscriptions, rule targets, policies and environment variables become data flows. \
        New entries are appended to elements.yml with a 'resource:' link; what is there is kept \
        byte for byte, and running it again adds nothing twice. Exit 0; 1 with --check when there \
        is something to add; 2 on a usage, template or configuration error.

        Example: tmrepo discover --dry-run
        """
    )

    @OptionGroup var model: ModelOptions

    @Flag(help: "Show what would be added; write nothing.")
    var dryRun = false

    @Flag(help: "Write nothing; exit 1 when elements.yml lacks something the templates declare (for CI).")
    var check = false

    @Option(help: "Output: text or json.")
    var format: StatusFormat = .text

    @Option(name: .customLong("template"), help: ArgumentHelp("Read this template instead of the model's (repeatable); without a model, shows what it declares and writes nothing.", valueName: "file"))
    var templates: [String] = []

    func run() throws {
        if !templates.isEmpty, (try? model.store()) == nil {
            // No model: say what the templates declare, against an empty elements.yml.
            let found = try templates.map { path in TemplateFiles.Found.file(ModelFile(path: path, bytes: try FileSystem.read(path))) }
            let system = SystemModel.make(found: found, config: ModelConfig(), elements: [])
            let plan = DiscoveryPlan(existing: [], system: system.discovered)
            try report(system, plan: plan, written: false)
            if system.problems.contains(where: { $0.severity == .error }) { Console.finish(2) }
            return
        }
        let store = try model.store()
        let loaded = try store.load()
        let system = try templates.isEmpty
            ? SystemModel.read(from: store.source, config: loaded.config, elements: loaded.elements ?? [])
            : SystemModel.make(found: templates.map { path in
                .file(ModelFile(path: Self.relative(path, to: store.root), bytes: try FileSystem.read(path)))
            }, config: loaded.config, elements: loaded.elements ?? [])
        if system.problems.contains(where: { $0.severity == .error }) {
            // Nothing is written from templates that cannot be read whole.
            try report(system, plan: DiscoveryPlan(existing: loaded.elements ?? [], system: system.discovered), written: false)
            Console.finish(2)
        }
        if system.templatePaths.isEmpty {
            throw TMRepoError.invalidArgument("no AWS SAM or CloudFormation template found below \(store.root); name them in .tmrepo.yml (system: templates: [path/to/template.yaml])")
        }
        let plan = DiscoveryPlan(existing: loaded.elements ?? [], system: system.discovered)
        let write = !dryRun && !check && !plan.additions.isEmpty
        if write {
            let path = store.absolute(InventoryParser.elementsFile)
            let current = FileSystem.exists(path) ? try FileSystem.read(path) : nil
            let updated: [UInt8]
            do {
                updated = try ElementsFileEditor.append(plan.additions.map(\.element), to: current)
            } catch {
                throw TMRepoError.editFailed(path: InventoryParser.elementsFile, reason: "\(error)")
            }
            try FileSystem.writeAtomically(updated, to: path)
        }
        try report(system, plan: plan, written: write)
        if check && !plan.additions.isEmpty { Console.finish(1) }
    }

    /// A path as the model names it: relative to the model root when inside it.
    static func relative(_ path: String, to root: String) -> String {
        let absolute = FileSystem.absolute(path)
        return absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : absolute
    }

    private func report(_ system: SystemModel, plan: DiscoveryPlan, written: Bool) throws {
        switch format {
        case .json: Console.out(SystemFormatter.discoveryJSON(system, plan: plan, written: written).bytes() + [0x0A])
        case .text: Console.out(SystemFormatter.discoveryText(system, plan: plan, written: written, style: .forStandardOutput()))
        }
    }
}
