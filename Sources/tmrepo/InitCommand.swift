import ArgumentParser
import TMRepoKit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a threat model here: .tmrepo.yml (commented), threats/, elements.yml, assets.yml.",
        discussion: "Example: tmrepo init services/orders"
    )

    @Argument(help: "Folder to create the model in.")
    var directory: String = "."

    @Flag(help: "Overwrite existing files.")
    var force = false

    func run() throws {
        let root = FileSystem.absolute(directory)
        try FileSystem.createDirectory(root)
        let written = try Scaffold.write(into: root, force: force)
        let prefix = relativePrefix(of: root, from: FileSystem.currentDirectory)
        for path in written { Console.line("created \(prefix)\(path)") }
        Console.line("next: tmrepo new --title \"…\" --template default   (tmrepo new --list-templates shows the library)")
    }
}
