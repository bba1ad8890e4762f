import Foundation
import TMGit

/// What a commit's signature proves about who made it.
public enum SignatureVerdict: Sendable, Equatable {
    /// A good SSH signature by a key listed for `signer` (the identity that was asked about).
    case valid(signer: String, keyFingerprint: String)
    /// The commit carries no signature.
    case unsigned
    /// The signature is malformed, of an unsupported kind, for another namespace, or does not
    /// match the commit (altered after signing, or made by another key).
    case invalid(reason: String)
    /// A good signature by a key the allowed-signers file does not list (in the "git" namespace).
    case keyNotAllowed(fingerprint: String)
    /// A good signature by a listed key, but not listed for `email`; `listedFor` are the
    /// principal patterns it is listed for.
    case keyNotAllowedFor(email: String, fingerprint: String, listedFor: [String])
    /// A good signature by a key listed for `email`, but its valid-after/valid-before window
    /// does not contain the commit's time.
    case keyNotValidAt(time: Int64, email: String, fingerprint: String)

    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// One line for a finding or a log.
    public var explanation: String {
        switch self {
        case let .valid(signer, fingerprint): return "good SSH signature by \(signer) with key \(fingerprint)"
        case .unsigned: return "the commit is not signed"
        case let .invalid(reason): return "bad signature: \(reason)"
        case let .keyNotAllowed(fingerprint): return "signed with key \(fingerprint), which the allowed signers file does not list"
        case let .keyNotAllowedFor(email, fingerprint, listedFor):
            let listed = listedFor.isEmpty ? "" : " (it is listed for \(listedFor.joined(separator: "; ")))"
            return "signed with key \(fingerprint), which is not listed for \(email)\(listed)"
        case let .keyNotValidAt(time, email, fingerprint):
            return "signed with key \(fingerprint), listed for \(email) but not valid at the commit's time \(time)"
        }
    }
}

/// Verifies SSH commit signatures (`gpg.format=ssh`) against an allowed-signers file, the way
/// `git verify-commit` with `gpg.ssh.allowedSignersFile` does, without running any program.
public struct CommitSignatureVerifier: Sendable {
    public let allowedSigners: AllowedSigners
    /// Signatures are made in this namespace; git uses "git" for commits.
    public let namespace: String

    public init(allowedSigners: AllowedSigners, namespace: String = "git") {
        self.allowedSigners = allowedSigners
        self.namespace = namespace
    }

    /// Verifies commit `id`'s signature for `email` (the reviewer's identity: the key must be
    /// listed for it). `time` is the moment checked against valid-after/valid-before; by default
    /// the commit's committer time, as git does. Throws only when the commit cannot be read.
    public func verify(commit id: ObjectID, in repository: Repository, email: String, at time: Int64? = nil) throws -> SignatureVerdict {
        guard let (signature, signedData) = try repository.commitSignature(id) else { return .unsigned }
        let moment = try time ?? repository.commit(id).committer.time
        return verify(signature: signature, signedData: signedData, email: email, at: moment)
    }

    /// The same check on a signature and the bytes it signs (pure: no repository, no clock).
    public func verify(signature armored: [UInt8], signedData: [UInt8], email: String, at time: Int64) -> SignatureVerdict {
        let signature: SSHSignature
        do {
            signature = try SSHSignature(armored: armored)
            // The signature is proved before the key is looked up, like ssh-keygen -Y verify.
            try signature.verify(message: signedData, namespace: namespace)
        } catch let error as SSHSignatureError {
            return .invalid(reason: error.message)
        } catch {
            return .invalid(reason: "\(error)")
        }
        let key = signature.publicKey
        let fingerprint = key.fingerprint
        let listings = allowedSigners.entries.filter { $0.key == key && $0.namespaces.map { PatternList.matches(namespace, $0) } ?? true }
        guard !listings.isEmpty else { return .keyNotAllowed(fingerprint: fingerprint) }
        let forEmail = listings.filter { PatternList.matches(email, $0.principals) }
        guard !forEmail.isEmpty else {
            return .keyNotAllowedFor(email: email, fingerprint: fingerprint, listedFor: listings.map(\.principals))
        }
        guard forEmail.contains(where: { $0.applies(namespace: namespace, at: time) }) else {
            return .keyNotValidAt(time: time, email: email, fingerprint: fingerprint)
        }
        return .valid(signer: email, keyFingerprint: fingerprint)
    }

    /// The principal patterns the key behind commit `id`'s (good) signature is listed for at
    /// `time` (default: committer time); [] when unsigned, invalid or unlisted. For gates that
    /// need the signer's identities rather than a yes/no for one email.
    public func signerPrincipals(commit id: ObjectID, in repository: Repository, at time: Int64? = nil) throws -> [String] {
        guard let (armored, signedData) = try repository.commitSignature(id),
              let signature = try? SSHSignature(armored: armored),
              (try? signature.verify(message: signedData, namespace: namespace)) != nil else { return [] }
        let moment = try time ?? repository.commit(id).committer.time
        return allowedSigners.principals(for: signature.publicKey, namespace: namespace, at: moment)
    }
}
