import Foundation
import TMGit

/// What commands ask of a model's place in git, so the command line never reaches into the
/// repository handle itself.
extension ModelLocation {
    /// Whether the repository has no work tree (a server's).
    public var isBare: Bool { repository.isBare }

    /// A short name for reports: the model folder's, else the repository's.
    public var displayName: String {
        workRoot.map { URL(fileURLWithPath: $0).lastPathComponent } ?? URL(fileURLWithPath: repository.gitDirectory).lastPathComponent
    }

    /// The commit HEAD points at; an error saying what to do on a repository with no commit.
    public func headCommit() throws -> ObjectID {
        do {
            guard let head = try repository.headCommit() else { throw TMRepoError.emptyHistory }
            return head
        } catch let error as GitError {
            throw TMRepoError.git(error)
        }
    }
}
