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

    func reviewers(commit: String, author: Identity, committer: Identity?) -> Result<Set<String>, ReviewRefusal> {
        verified(commit, listedFor: author.email)
    }

    /// The authors of a change are who signed it; an unsigned change has no provable author.
    func changers(of revision: Revision) -> Result<Set<String>, ReviewRefusal> {
        verified(revision.id, listedFor: nil)
    }

    /// The identities a commit's valid signature proves: the key must be listed (for `email`,
    /// when given); every identity the key is listed for counts as the signer.
    private func verified(_ commit: String, listedFor email: String?) -> Result<Set<String>, ReviewRefusal> {
        guard let verifier else {
            return .failure(ReviewRefusal("policy.require_signed_reviews is set, but the base has no allowed-signers file at \(signersPath)"))
        }
        guard let id = ObjectID(hex: commit) else { return .failure(ReviewRefusal("not a commit id")) }
        do {
            var identities = Set<String>()
            if let email {
                let verdict = try verifier.verify(commit: id, in: repository, email: email)
                guard case .valid(let signer, _) = verdict else { return .failure(ReviewRefusal(verdict.explanation)) }
                identities.insert(signer.lowercased())
            }
            for principal in try verifier.signerPrincipals(commit: id, in: repository) {
                for name in principal.split(separator: ",") where !name.contains("*") && !name.contains("?") {
                    identities.insert(name.trimmingCharacters(in: .whitespaces).lowercased())
                }
            }
            // A key listed only for a pattern (a team key) proves no one in particular.
            if identities.isEmpty { return .failure(ReviewRefusal("it is not signed by a key listed for a person")) }
            return .success(identities)
        } catch {
            return .failure(ReviewRefusal("its signature cannot be read (\(error))"))
        }
    }
}
