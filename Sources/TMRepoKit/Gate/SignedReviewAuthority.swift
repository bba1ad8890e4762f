import Foundation
import TMGit
import ThreatModel

/// `policy.require_signed_reviews`: a review counts only when its commit carries a valid SSH
/// signature by a key that the allowed-signers file (read from the base, never from the range)
/// lists for the review commit's author. The reviewers are then the verified identity and every
/// other identity the key is listed for, so independence is judged against what the key proves.
struct SignedReviewAuthority: ReviewAuthority {
    let repository: Repository
    /// nil: the policy asks for signatures but the base has no allowed-signers file.
    let verifier: CommitSignatureVerifier?
    /// The file's path, for messages.
    let signersPath: String

    init(repository: Repository, base: ObjectID, signersPath: String) throws {
        self.repository = repository
        self.signersPath = signersPath
        do {
            // UTC, so valid-after/valid-before mean the same on every machine that runs the gate.
            verifier = try AllowedSigners.load(from: repository, commit: base, path: signersPath,
                                               timeZone: TimeZone(identifier: "UTC") ?? .current).map { CommitSignatureVerifier(allowedSigners: $0) }
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
    }

    func reviewers(of revision: Revision) -> Result<Set<String>, ReviewRefusal> {
        guard let verifier else {
            return .failure(ReviewRefusal("policy.require_signed_reviews is set, but the base has no allowed-signers file at \(signersPath)"))
        }
        guard let id = ObjectID(hex: revision.id) else { return .failure(ReviewRefusal("not a commit id")) }
        do {
            let verdict = try verifier.verify(commit: id, in: repository, email: revision.author.email)
            guard case .valid(let signer, _) = verdict else { return .failure(ReviewRefusal(verdict.explanation)) }
            var reviewers: Set<String> = [signer.lowercased()]
            for principal in try verifier.signerPrincipals(commit: id, in: repository) {
                for name in principal.split(separator: ",") where !name.contains("*") && !name.contains("?") {
                    reviewers.insert(name.trimmingCharacters(in: .whitespaces).lowercased())
                }
            }
            return .success(reviewers)
        } catch {
            return .failure(ReviewRefusal("its signature cannot be read (\(error))"))
        }
    }
}
