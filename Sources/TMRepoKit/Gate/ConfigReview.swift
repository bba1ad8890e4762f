import TMGit
import ThreatModel

/// Records a review of the model's files outside the threats folder (`.tmrepo.yml`,
/// `elements.yml`, `assets.yml`): an empty commit on HEAD with a `Reviewed-config:` trailer for
/// each that HEAD has, which the merge gate asks for when a range changes one of them.
public struct ConfigReview {
    public let location: ModelLocation

    public init(location: ModelLocation) {
        self.location = location
    }

    /// Commits the review and returns its id.
    public func commit(note: String?) throws -> ObjectID {
        do {
            let repository = location.repository
            guard let head = try repository.headCommit() else { throw TMRepoError.emptyHistory }
            let tree = try repository.commit(head).tree
            let files = try RangeSubjects.modelFiles.map { location.prefix + $0 }.filter { try repository.entryID(in: tree, path: $0) != nil }
            var message = "Review the threat-model configuration (\(files.joined(separator: ", ")))\n"
            if let note, !note.isEmpty { message += "\n\(note)\n" }
            message += "\n" + files.map { "\(MergeCheck.configTrailer): \($0)\n" }.joined()
            let (author, committer) = try CommitIdentity.resolve(repository: location.repository)
            return try location.repository.commit(files: [:], message: message, author: author, committer: committer)
        } catch let error as GitError {
            throw TMRepoError.git(error)
        }
    }
}
