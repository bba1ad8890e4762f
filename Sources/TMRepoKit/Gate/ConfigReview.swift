import TMGit
import ThreatModel

/// Records a review of the model's configuration: an empty commit on HEAD carrying a
/// `Reviewed-config:` trailer, which the merge gate asks for when a range changes `.tmrepo.yml`.
public struct ConfigReview {
    public let location: ModelLocation

    public init(location: ModelLocation) {
        self.location = location
    }

    /// Commits the review and returns its id.
    public func commit(note: String?) throws -> ObjectID {
        let path = location.prefix + ModelConfig.fileName
        var message = "Review the threat-model configuration (\(path))\n"
        if let note, !note.isEmpty { message += "\n\(note)\n" }
        message += "\n\(MergeCheck.configTrailer): \(path)\n"
        do {
            let (author, committer) = try CommitIdentity.resolve(repository: location.repository)
            return try location.repository.commit(files: [:], message: message, author: author, committer: committer)
        } catch let error as GitError {
            throw TMRepoError.git(error)
        }
    }
}
