import Foundation
import TMGit
import ThreatModel

/// Where a model lives in git: the repository and the model root's path inside it.
public struct ModelLocation {
    public let repository: Repository
    /// The model root relative to the repository root: "" or "a/b/".
    public let prefix: String
    /// The model root in the work tree, when there is one.
    public let workRoot: String?

    /// Finds the repository holding the model at `store`, or, with no model on disk (a bare
    /// repository, e.g. on a git server), the repository at `directory` with the model at `prefix`.
    public static func find(store: ModelStore?, directory: String = FileSystem.currentDirectory, prefix: String = "") throws -> ModelLocation {
        let start = store?.root ?? directory
        let repository: Repository
        do {
            repository = try Repository.openFromEnvironment(fallback: start)
        } catch let error as GitError where error.code == .notFound {
            throw TMRepoError.notAGitRepository(start)
        } catch let error as GitError {
            throw TMRepoError.git(error)
        }
        if let store, let workdir = repository.workingDirectory {
            let base = FileSystem.absolute(workdir)
            let root = FileSystem.absolute(store.root)
            let relative = root == base ? "" : root.hasPrefix(base + "/") ? String(root.dropFirst(base.count + 1)) + "/" : ""
            return ModelLocation(repository: repository, prefix: relative, workRoot: store.root)
        }
        let normalized = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        return ModelLocation(repository: repository, prefix: normalized, workRoot: nil)
    }
}
