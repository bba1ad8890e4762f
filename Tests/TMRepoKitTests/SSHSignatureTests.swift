import Foundation
import Testing
import TestSupport
import TMGit
@testable import TMRepoKit

/// Real keys from ssh-keygen and real signatures from `git commit -S` (gpg.format=ssh), checked
/// in-process; `git verify-commit` is asked too where its answer means the same thing.
/// (Tests may run git and ssh-keygen; the library never does.)
private let sshKeygen = "/usr/bin/ssh-keygen"
private let hasSSHKeygen = FileManager.default.isExecutableFile(atPath: sshKeygen)
private let skipReason: Comment = "ssh-keygen is not installed (apt-get install openssh-client)"

private let alice = ("Alice", "alice@example.com")
private let bob = ("Bob", "bob@example.com")
private let commitDate = "2026-01-15T12:00:00Z"
private let commitTime: Int64 = 1_768_478_400

/// A repository plus keys made for one test.
private final class SigningFixture {
    let temp: TempDir
    let git: GitDriver

    init() throws {
        temp = try TempDir("ssh-sign")
        try FileManager.default.createDirectory(atPath: temp.url("repo"), withIntermediateDirectories: true)
        git = try GitDriver.initialize(temp.url("repo"))
    }

    /// Makes a key pair; returns the private key's path.
    func makeKey(_ name: String, type: String = "ed25519", bits: String? = nil) throws -> String {
        let path = temp.url("keys/\(name)")
        try FileManager.default.createDirectory(atPath: temp.url("keys"), withIntermediateDirectories: true)
        let result = try runProcess(sshKeygen, ["-q", "-t", type] + (bits.map { ["-b", $0] } ?? []) + ["-N", "", "-C", name, "-f", path],
                                    cwd: temp.path)
        guard result.status == 0 else { throw SSHSignatureError("ssh-keygen failed: \(result.stderr)") }
        return path
    }

    /// "keytype base64" of a key's public half.
    func publicKey(_ privatePath: String) throws -> String {
        let parts = try String(contentsOfFile: privatePath + ".pub", encoding: .utf8).split(separator: " ")
        return parts.prefix(2).joined(separator: " ")
    }

    /// A commit signed by `key`, authored and committed by `identity`.
    func signedCommit(key: String, identity: (String, String), message: String = "Review T-1") throws -> ObjectID {
        try git.run(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)", "commit", "-q", "--allow-empty", "-S", "-m", message],
                    date: commitDate, author: identity)
        return try head()
    }

    func unsignedCommit(identity: (String, String)) throws -> ObjectID {
        try git.run(["commit", "-q", "--allow-empty", "-m", "unsigned"], date: commitDate, author: identity)
        return try head()
    }

    func head() throws -> ObjectID {
        let hex = try git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = ObjectID(hex: hex) else { throw SSHSignatureError("bad id \(hex)") }
        return id
    }

    /// Writes a raw commit object and returns its id.
    func writeCommit(_ raw: String) throws -> ObjectID {
        let hex = try git.run(["hash-object", "-t", "commit", "-w", "--stdin"], stdin: raw).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = ObjectID(hex: hex) else { throw SSHSignatureError("bad id \(hex)") }
        return id
    }

    func rawCommit(_ id: ObjectID) throws -> String {
        try git.run(["cat-file", "commit", id.hex])
    }

    func allowedSigners(_ text: String) throws -> (verifier: CommitSignatureVerifier, path: String) {
        try temp.write("allowed_signers", text)
        let signers = AllowedSigners(parsing: text, timeZone: TimeZone(identifier: "UTC") ?? .current)
        #expect(signers.diagnostics.isEmpty, "\(signers.diagnostics)")
        return (CommitSignatureVerifier(allowedSigners: signers), temp.url("allowed_signers"))
    }

    func verify(_ verifier: CommitSignatureVerifier, _ id: ObjectID, email: String) throws -> SignatureVerdict {
        let repository = try Repository.open(at: git.directory)
        return try verifier.verify(commit: id, in: repository, email: email)
    }

    /// Whether `git verify-commit` accepts the commit with this allowed-signers file.
    func gitAccepts(_ id: ObjectID, allowedSignersPath: String) throws -> Bool {
        try gitVerify(id, allowedSignersPath: allowedSignersPath).status == 0
    }

    func gitVerify(_ id: ObjectID, allowedSignersPath: String) throws -> ProcessResult {
        try runProcess("/usr/bin/git", ["-c", "gpg.ssh.allowedSignersFile=\(allowedSignersPath)", "verify-commit", id.hex],
                       cwd: git.directory)
    }

    /// Signs `data` with ssh-keygen directly (any namespace); returns the armored signature.
    func sshSign(_ data: [UInt8], key: String, namespace: String, hash: String = "sha512") throws -> [UInt8] {
        try temp.write("payload", bytes: data)
        if temp.exists("payload.sig") { try temp.remove("payload.sig") }
        let result = try runProcess(sshKeygen, ["-Y", "sign", "-n", namespace, "-O", "hashalg=\(hash)", "-f", key, temp.url("payload")],
                                    cwd: temp.path)
        guard result.status == 0 else { throw SSHSignatureError("ssh-keygen -Y sign failed: \(result.stderr)") }
        return try temp.bytes("payload.sig")
    }
}

@Suite(.enabled(if: hasSSHKeygen, skipReason))
struct SSHSignatureTests {
    @Test(arguments: [("ed25519", nil), ("ecdsa", "256"), ("ecdsa", "384"), ("ecdsa", "521"), ("rsa", "3072")] as [(String, String?)])
    func goodSignaturePassesAndGitAgrees(type: String, bits: String?) throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice", type: type, bits: bits)
        let id = try fixture.signedCommit(key: key, identity: alice)
        let (verifier, path) = try fixture.allowedSigners("alice@example.com namespaces=\"git\" \(try fixture.publicKey(key)) alice's laptop\n")
        let verdict = try fixture.verify(verifier, id, email: alice.1)
        guard case let .valid(signer, fingerprint) = verdict else {
            Issue.record("expected a valid signature, got \(verdict.explanation)")
            return
        }
        #expect(signer == alice.1)
        let printed = try runProcess(sshKeygen, ["-l", "-f", key + ".pub"], cwd: fixture.temp.path).stdout
        #expect(printed.contains(fingerprint), "ssh-keygen prints \(printed), we computed \(fingerprint)")
        #expect(try fixture.gitAccepts(id, allowedSignersPath: path))
        let repository = try Repository.open(at: fixture.git.directory)
        #expect(try verifier.signerPrincipals(commit: id, in: repository) == ["alice@example.com"])
    }

    @Test func unsignedCommitIsUnsigned() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        let id = try fixture.unsignedCommit(identity: alice)
        let (verifier, _) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(key))\n")
        #expect(try fixture.verify(verifier, id, email: alice.1) == .unsigned)
    }

    @Test func keyNotListedIsRefused() throws {
        let fixture = try SigningFixture()
        let listed = try fixture.makeKey("alice")
        let stranger = try fixture.makeKey("mallory")
        let id = try fixture.signedCommit(key: stranger, identity: alice)
        let (verifier, path) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(listed))\n")
        let verdict = try fixture.verify(verifier, id, email: alice.1)
        guard case .keyNotAllowed = verdict else {
            Issue.record("expected keyNotAllowed, got \(verdict.explanation)")
            return
        }
        #expect(try !fixture.gitAccepts(id, allowedSignersPath: path))
    }

    @Test func keyListedForAnotherEmailIsRefused() throws {
        let fixture = try SigningFixture()
        let bobsKey = try fixture.makeKey("bob")
        // Bob signs a commit that claims Alice as author and committer.
        let id = try fixture.signedCommit(key: bobsKey, identity: alice)
        let (verifier, _) = try fixture.allowedSigners("bob@example.com,*@bob.example \(try fixture.publicKey(bobsKey))\n")
        let verdict = try fixture.verify(verifier, id, email: alice.1)
        guard case let .keyNotAllowedFor(email, _, listedFor) = verdict else {
            Issue.record("expected keyNotAllowedFor, got \(verdict.explanation)")
            return
        }
        #expect(email == alice.1)
        #expect(listedFor == ["bob@example.com,*@bob.example"])
        // The same commit is Bob's when the gate asks about Bob.
        #expect(try fixture.verify(verifier, id, email: bob.1).isValid)
    }

    @Test func tamperedCommitIsInvalid() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        let id = try fixture.signedCommit(key: key, identity: alice, message: "Reviewed-threat: T-1")
        let (verifier, path) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(key))\n")
        let raw = try fixture.rawCommit(id)
        let tampered = try fixture.writeCommit(raw.replacingOccurrences(of: "T-1", with: "T-2"))
        #expect(tampered != id)
        let verdict = try fixture.verify(verifier, tampered, email: alice.1)
        guard case .invalid = verdict else {
            Issue.record("expected invalid, got \(verdict.explanation)")
            return
        }
        #expect(try !fixture.gitAccepts(tampered, allowedSignersPath: path))
        // Changing the committer line is caught as well.
        let recommitted = try fixture.writeCommit(raw.replacingOccurrences(of: "committer Alice", with: "committer Alicf"))
        guard case .invalid = try fixture.verify(verifier, recommitted, email: alice.1) else {
            Issue.record("an altered committer line was accepted")
            return
        }
    }

    @Test func signatureMovedIntoTheMessageIsNotASignature() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        let id = try fixture.signedCommit(key: key, identity: alice)
        let (verifier, _) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(key))\n")
        let raw = try fixture.rawCommit(id)
        // Move the gpgsig header and its continuation lines to the end of the message body.
        var header: [String] = [], body: [String] = [], signature: [String] = []
        var inBody = false, inSignature = false
        for line in raw.components(separatedBy: "\n") {
            if inBody { body.append(line); continue }
            if line.isEmpty { inBody = true; body.append(line); continue }
            if line.hasPrefix("gpgsig ") { inSignature = true; signature.append(line); continue }
            if inSignature, line.hasPrefix(" ") { signature.append(line); continue }
            inSignature = false
            header.append(line)
        }
        #expect(!signature.isEmpty)
        let moved = try fixture.writeCommit((header + body.dropLast() + signature + [""]).joined(separator: "\n"))
        #expect(try fixture.verify(verifier, moved, email: alice.1) == .unsigned)
    }

    @Test func otherNamespaceIsInvalid() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        let id = try fixture.signedCommit(key: key, identity: alice)
        let (verifier, _) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(key))\n")
        let repository = try Repository.open(at: fixture.git.directory)
        guard let (_, signedData) = try repository.commitSignature(id) else {
            Issue.record("no signature read")
            return
        }
        // A good signature over the very same bytes, but made for files, not git.
        let fileSignature = try fixture.sshSign(signedData, key: key, namespace: "file")
        let verdict = verifier.verify(signature: fileSignature, signedData: signedData, email: alice.1, at: commitTime)
        #expect(verdict == .invalid(reason: "signature is for namespace \"file\", not \"git\""))
        // And ssh-keygen's own git-namespace signature over those bytes passes the pure API.
        let gitSignature = try fixture.sshSign(signedData, key: key, namespace: "git")
        #expect(verifier.verify(signature: gitSignature, signedData: signedData, email: alice.1, at: commitTime).isValid)
    }

    /// Many signatures per key type and hash, so ECDSA's r and s come with and without the
    /// leading zero byte an mpint needs when the top bit is set.
    @Test(arguments: [("ed25519", nil), ("ecdsa", "256"), ("ecdsa", "384"), ("ecdsa", "521"), ("rsa", "2048")] as [(String, String?)])
    func manySignaturesOfEachKindVerify(type: String, bits: String?) throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice", type: type, bits: bits)
        let (verifier, _) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(key))\n")
        for round in 0..<8 {
            let payload = Array("payload \(round)\n".utf8)
            for hash in ["sha256", "sha512"] {
                let signature = try fixture.sshSign(payload, key: key, namespace: "git", hash: hash)
                let parsed = try SSHSignature(armored: signature)
                #expect(parsed.hashAlgorithm == hash)
                let verdict = verifier.verify(signature: signature, signedData: payload, email: alice.1, at: commitTime)
                #expect(verdict.isValid, "\(type) \(hash) round \(round): \(verdict.explanation)")
                #expect(!verifier.verify(signature: signature, signedData: payload + [0x20], email: alice.1, at: commitTime).isValid)
            }
        }
    }

    /// Key kinds and algorithms tmrepo cannot or will not check are refused with their name.
    @Test func unsupportedKindsAreRefusedByName() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice", type: "rsa", bits: "2048")
        let (verifier, _) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(key))\n")
        let payload = Array("payload\n".utf8)
        let real = try SSHSignature(armored: try fixture.sshSign(payload, key: key, namespace: "git"))
        var reader = SSHWireReader(real.signatureBlob, context: "test")
        #expect(try reader.name() == "rsa-sha2-512")
        let rsaBytes = try reader.string()
        func rebuilt(key: [UInt8], signature: [UInt8]) -> [UInt8] {
            let blob = Array("SSHSIG".utf8) + [0, 0, 0, 1] + SSHWire.string(key) + SSHWire.string("git") + SSHWire.string([])
                + SSHWire.string("sha512") + SSHWire.string(signature)
            return SSHSignatureTests.armor(blob)
        }
        // SHA-1 RSA signatures ("ssh-rsa") are forbidden in SSHSIG.
        let sha1 = rebuilt(key: real.publicKey.blob, signature: SSHWire.string("ssh-rsa") + SSHWire.string(rsaBytes))
        #expect(verifier.verify(signature: sha1, signedData: payload, email: alice.1, at: commitTime)
                == .invalid(reason: "RSA signature algorithm ssh-rsa is not accepted (only rsa-sha2-256 and rsa-sha2-512)"))
        for type in ["ssh-dss", "sk-ssh-ed25519@openssh.com", "ssh-ed25519-cert-v01@openssh.com"] {
            let other = rebuilt(key: SSHWire.string(type) + SSHWire.string([1, 2, 3]), signature: SSHWire.string(type) + SSHWire.string([4]))
            #expect(verifier.verify(signature: other, signedData: payload, email: alice.1, at: commitTime)
                    == .invalid(reason: "unsupported key type \(type)"))
        }
        // An Ed25519 signature presented for the RSA key.
        let mixed = rebuilt(key: real.publicKey.blob, signature: SSHWire.string("ssh-ed25519") + SSHWire.string([UInt8](repeating: 0, count: 64)))
        #expect(!verifier.verify(signature: mixed, signedData: payload, email: alice.1, at: commitTime).isValid)
    }

    @Test func keyOutsideItsValidityWindowIsRefused() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        let id = try fixture.signedCommit(key: key, identity: alice)
        let publicKey = try fixture.publicKey(key)
        for (options, gitSays) in [("valid-before=\"20251231Z\"", "key has expired"), ("valid-after=\"20260201000000Z\"", "key is not yet valid")] {
            let (verifier, path) = try fixture.allowedSigners("alice@example.com \(options) \(publicKey)\n")
            let verdict = try fixture.verify(verifier, id, email: alice.1)
            guard case let .keyNotValidAt(time, _, _) = verdict else {
                Issue.record("\(options): expected keyNotValidAt, got \(verdict.explanation)")
                continue
            }
            #expect(time == commitTime)
            // git refuses too, and for the same reason (not a misread line).
            let git = try fixture.gitVerify(id, allowedSignersPath: path)
            #expect(git.status != 0 && git.stderr.contains(gitSays), "git with \(options): \(git.stderr)")
        }
        let (inside, path) = try fixture.allowedSigners("alice@example.com valid-after=\"20260101Z\",valid-before=\"20260201Z\" \(publicKey)\n")
        #expect(try fixture.verify(inside, id, email: alice.1).isValid)
        #expect(try fixture.gitAccepts(id, allowedSignersPath: path))
    }

    @Test func namespaceRestrictionInTheFileIsHonoured() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        let id = try fixture.signedCommit(key: key, identity: alice)
        let (verifier, _) = try fixture.allowedSigners("alice@example.com namespaces=\"file,email\" \(try fixture.publicKey(key))\n")
        guard case .keyNotAllowed = try fixture.verify(verifier, id, email: alice.1) else {
            Issue.record("a key listed only for other namespaces was accepted for git")
            return
        }
    }

    /// Every truncation and every single-bit flip of a real signature is refused without a crash.
    @Test func damagedSignaturesAreRefused() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        let id = try fixture.signedCommit(key: key, identity: alice)
        let (verifier, _) = try fixture.allowedSigners("alice@example.com \(try fixture.publicKey(key))\n")
        let repository = try Repository.open(at: fixture.git.directory)
        guard let (armored, signedData) = try repository.commitSignature(id) else {
            Issue.record("no signature read")
            return
        }
        let check = { (signature: [UInt8]) -> SignatureVerdict in
            verifier.verify(signature: signature, signedData: signedData, email: alice.1, at: commitTime)
        }
        #expect(check(armored).isValid)
        // Line endings converted to CRLF on the way still read.
        #expect(check(Array(String(decoding: armored, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)).isValid)
        for length in stride(from: 0, to: armored.count, by: 7) {
            #expect(!check(Array(armored.prefix(length))).isValid, "prefix \(length) accepted")
        }
        let blob = try #require(SSHWire.base64Decode(String(decoding: armored, as: UTF8.self)
            .split(separator: "\n").filter { !$0.contains("-----") }.map { $0.trimmingCharacters(in: .whitespaces) }.joined()))
        for index in blob.indices {
            var damaged = blob
            damaged[index] ^= 0x01
            #expect(!check(Self.armor(damaged)).isValid, "bit flip at \(index) accepted")
        }
        // Lengths that claim far more than there is.
        var huge = Array("SSHSIG".utf8) + [0, 0, 0, 1] + [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(check(Self.armor(huge)) == .invalid(reason: "signature is truncated (a field claims 4294967295 bytes, 0 are left)"))
        huge = Array("SSHSIG".utf8) + [0, 0, 0, 2]
        #expect(!check(Self.armor(huge)).isValid)
        for garbage in ["", "hello", "-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n",
                        "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n",
                        "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n"] {
            guard case .invalid = check(Array(garbage.utf8)) else {
                Issue.record("garbage accepted: \(garbage)")
                continue
            }
        }
        #expect(check([UInt8](repeating: 0x41, count: SSHSignature.maximumArmoredBytes + 1)) ==
                .invalid(reason: "signature is larger than \(SSHSignature.maximumArmoredBytes) bytes"))
        // The right signature over other bytes.
        #expect(!verifier.verify(signature: armored, signedData: signedData + [0x0A], email: alice.1, at: commitTime).isValid)
    }

    /// The gate's path: the allowed-signers file is read from a commit (the base), not the work tree.
    @Test func allowedSignersAreReadFromACommit() throws {
        let fixture = try SigningFixture()
        let key = try fixture.makeKey("alice")
        try fixture.temp.write("repo/.tmrepo/allowed_signers", "alice@example.com \(try fixture.publicKey(key))\n")
        let baseID = try #require(ObjectID(hex: try fixture.git.commitAll("add signers", date: commitDate)))
        // The change edits the file to list Bob's key for Alice; the base's copy still rules.
        let bobsKey = try fixture.makeKey("bob")
        try fixture.temp.write("repo/.tmrepo/allowed_signers", "alice@example.com \(try fixture.publicKey(bobsKey))\n")
        try fixture.git.run(["add", "-A"])
        let review = try fixture.signedCommit(key: bobsKey, identity: alice)
        let repository = try Repository.open(at: fixture.git.directory)
        let signers = try #require(try AllowedSigners.load(from: repository, commit: baseID, path: ".tmrepo/allowed_signers"))
        #expect(signers.entries.count == 1 && signers.diagnostics.isEmpty)
        let verdict = try CommitSignatureVerifier(allowedSigners: signers).verify(commit: review, in: repository, email: alice.1)
        guard case .keyNotAllowed = verdict else {
            Issue.record("expected keyNotAllowed, got \(verdict.explanation)")
            return
        }
        #expect(try AllowedSigners.load(from: repository, commit: baseID, path: ".tmrepo/none") == nil)
        #expect(try AllowedSigners.load(from: repository, commit: baseID, path: ".tmrepo") == nil)
        // Read from the review commit itself, the edited file would have let Bob's key pass.
        let edited = try #require(try AllowedSigners.load(from: repository, commit: review, path: ".tmrepo/allowed_signers"))
        #expect(try CommitSignatureVerifier(allowedSigners: edited).verify(commit: review, in: repository, email: alice.1).isValid)
    }

    @Test func unknownCommitThrows() throws {
        let fixture = try SigningFixture()
        _ = try fixture.unsignedCommit(identity: alice)
        let repository = try Repository.open(at: fixture.git.directory)
        let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        #expect(throws: GitError.self) { try repository.commitSignature(missing) }
    }

    static func armor(_ blob: [UInt8]) -> [UInt8] {
        let encoded = Data(blob).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        return Array("-----BEGIN SSH SIGNATURE-----\n\(encoded)\n-----END SSH SIGNATURE-----\n".utf8)
    }
}

/// Allowed-signers parsing, without keys from ssh-keygen (fixed keys below).
struct AllowedSignersTests {
    // An Ed25519 public key (any 32 bytes make a well-formed blob for parsing).
    static let blob = SSHWire.string("ssh-ed25519") + SSHWire.string([UInt8](repeating: 7, count: 32))
    static let base64 = Data(blob).base64EncodedString()
    static let utc = TimeZone(identifier: "UTC") ?? .current

    @Test func readsPrincipalsOptionsCommentsAndBlankLines() throws {
        let text = """
        # team keys

        alice@example.com ssh-ed25519 \(Self.base64) alice
        "bob@example.com,carol@example.com" namespaces="git,file",valid-after="20260101" ssh-ed25519 \(Self.base64)
          *@ops.example.com,!eve@ops.example.com cert-authority ssh-ed25519 \(Self.base64)
        dave@example.com bogus-option ssh-ed25519 \(Self.base64)
        erin@example.com ssh-ed25519 not-base64!!
        frank@example.com ssh-rsa \(Self.base64)
        gina@example.com valid-before="20261302" ssh-ed25519 \(Self.base64)
        harry@example.com
        *@wild.example.com,!eve@wild.example.com ssh-ed25519 \(Self.base64)
        ivan@example.com valid-after=20260101 ssh-ed25519 \(Self.base64)
        """
        let signers = AllowedSigners(parsing: text, timeZone: Self.utc)
        #expect(signers.entries.map(\.line) == [3, 4, 11])
        #expect(signers.entries[1].principals == "bob@example.com,carol@example.com")
        #expect(signers.entries[1].namespaces == "git,file")
        #expect(signers.entries[1].validAfter == 1_767_225_600)
        #expect(signers.diagnostics.map(\.line) == [5, 6, 7, 8, 9, 10, 12])
        #expect(signers.diagnostics[6].message.contains("quoted"))  // ssh-keygen refuses unquoted values too
        #expect(signers.diagnostics[0].message.contains("cert-authority"))
        #expect(signers.diagnostics[1].description == "line 6: unsupported option \"bogus-option\"")
        #expect(signers.diagnostics[3].message.contains("does not match"))

        let key = try SSHPublicKey(blob: Self.blob)
        let now: Int64 = 1_768_478_400
        #expect(signers.allows(key, for: "alice@example.com", at: now))
        #expect(signers.allows(key, for: "carol@example.com", at: now))
        #expect(!signers.allows(key, for: "carol@example.com", at: 1_700_000_000))  // before valid-after
        #expect(signers.allows(key, for: "x@wild.example.com", at: now))
        #expect(!signers.allows(key, for: "eve@wild.example.com", at: now))     // negated
        #expect(!signers.allows(key, for: "x@ops.example.com", at: now))        // its line was refused
        #expect(!signers.allows(key, for: "ALICE@example.com", at: now))        // case-sensitive, as ssh-keygen
        #expect(signers.principals(for: key, namespace: "email", at: now) == ["alice@example.com", "*@wild.example.com,!eve@wild.example.com"])
    }

    @Test func windowsLineEndingsRead() throws {
        let signers = AllowedSigners(parsing: "# keys\r\nalice@example.com ssh-ed25519 \(Self.base64)\r\n\r\n", timeZone: Self.utc)
        #expect(signers.entries.count == 1 && signers.diagnostics.isEmpty)
    }

    @Test func hostileInputIsBounded() {
        let long = String(repeating: "a", count: AllowedSigners.maximumLineBytes + 1)
        let signers = AllowedSigners(parsing: "\(long)\n\"unterminated ssh-ed25519 AAAA\n", timeZone: Self.utc)
        #expect(signers.entries.isEmpty)
        #expect(signers.diagnostics.map(\.line) == [1, 2])
        let huge = AllowedSigners(parsing: [UInt8](repeating: 0x20, count: AllowedSigners.maximumBytes + 1))
        #expect(huge.entries.isEmpty && huge.diagnostics.count == 1)
        let many = AllowedSigners(parsing: String(repeating: "x ssh-ed25519 !!\n", count: 200), timeZone: Self.utc)
        #expect(many.diagnostics.count == AllowedSigners.maximumDiagnostics + 1)
        // A pattern built to make naive backtracking explode still answers at once.
        #expect(!PatternList.matches(String(repeating: "a", count: 2000), String(repeating: "*a", count: 2000) + "b"))
    }

    @Test(arguments: [("a*c", "abbbc", true), ("a?c", "abc", true), ("a?c", "ac", false), ("*", "", true),
                      ("*@x.org", "me@x.org", true), ("*@x.org", "me@x.org.evil", false), ("a*b*c", "aXbYbc", true)])
    func wildcards(pattern: String, text: String, expected: Bool) {
        #expect(PatternList.wildcardMatch(Array(text.unicodeScalars), Array(pattern.unicodeScalars)) == expected)
    }
}
