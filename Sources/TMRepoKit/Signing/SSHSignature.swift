import Crypto
import CryptoExtras
import Foundation

/// An SSH public key as its wire-format blob (what allowed-signers files and SSHSIG carry).
/// Two keys are the same key exactly when their blobs are equal, as in OpenSSH.
public struct SSHPublicKey: Sendable, Hashable {
    /// The type named inside the blob, e.g. "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa".
    public let keyType: String
    public let blob: [UInt8]

    /// The key types whose signatures tmrepo can check.
    public static let supportedTypes: Set<String> = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]

    /// Reads the type out of a blob; the rest is checked only when a signature is verified.
    public init(blob: [UInt8]) throws {
        var reader = SSHWireReader(blob, context: "public key")
        keyType = try reader.name()
        self.blob = blob
    }

    /// "SHA256:…", as `ssh-keygen -l` prints it.
    public var fingerprint: String { SSHWire.fingerprint(ofKeyBlob: blob) }

    /// Whether `signatureBlob` (SSH format: algorithm name, then the signature) is this key's
    /// signature over `message`. Throws for malformed keys or signatures and unsupported types.
    func isValidSignature(_ signatureBlob: [UInt8], for message: [UInt8]) throws -> Bool {
        var key = SSHWireReader(blob, context: "public key")
        var signature = SSHWireReader(signatureBlob, context: "signature")
        let type = try key.name()
        let algorithm = try signature.name()
        let raw = try signature.string()
        try signature.requireEnd()

        switch type {
        case "ssh-ed25519":
            guard algorithm == type else { throw SSHSignatureError("an \(type) key cannot make a \(algorithm) signature") }
            let point = try key.string()
            try key.requireEnd()
            guard point.count == 32 else { throw SSHSignatureError("Ed25519 public key has \(point.count) bytes, not 32") }
            guard raw.count == 64 else { throw SSHSignatureError("Ed25519 signature has \(raw.count) bytes, not 64") }
            let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: point)
            return publicKey.isValidSignature(raw, for: message)

        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
            guard algorithm == type else { throw SSHSignatureError("an \(type) key cannot make a \(algorithm) signature") }
            let curve = try key.name()
            let point = try key.string()
            try key.requireEnd()
            guard "ecdsa-sha2-" + curve == type else { throw SSHSignatureError("\(type) key names curve \(curve)") }
            var integers = SSHWireReader(raw, context: "ECDSA signature")
            // Each curve signs with its own hash (RFC 5656 §6.2.1): SHA-256, SHA-384, SHA-512.
            let size = type.hasSuffix("256") ? 32 : type.hasSuffix("384") ? 48 : 66
            let r = try integers.positiveMPInt(maximumBytes: size)
            let s = try integers.positiveMPInt(maximumBytes: size)
            try integers.requireEnd()
            // CryptoKit wants r and s as fixed-width big-endian halves.
            let rawSignature = [UInt8](repeating: 0, count: size - r.count) + r + [UInt8](repeating: 0, count: size - s.count) + s
            do {
                if size == 32 {
                    let publicKey = try P256.Signing.PublicKey(x963Representation: point)
                    return publicKey.isValidSignature(try P256.Signing.ECDSASignature(rawRepresentation: rawSignature), for: message)
                }
                if size == 48 {
                    let publicKey = try P384.Signing.PublicKey(x963Representation: point)
                    return publicKey.isValidSignature(try P384.Signing.ECDSASignature(rawRepresentation: rawSignature), for: message)
                }
                let publicKey = try P521.Signing.PublicKey(x963Representation: point)
                return publicKey.isValidSignature(try P521.Signing.ECDSASignature(rawRepresentation: rawSignature), for: message)
            } catch {
                throw SSHSignatureError("\(type) key or signature is malformed")
            }

        case "ssh-rsa":
            // SSHSIG forbids SHA-1 ("ssh-rsa") signatures; OpenSSH signs with rsa-sha2-512 by default.
            guard algorithm == "rsa-sha2-512" || algorithm == "rsa-sha2-256" else {
                throw SSHSignatureError("RSA signature algorithm \(algorithm) is not accepted (only rsa-sha2-256 and rsa-sha2-512)")
            }
            let exponent = try key.positiveMPInt(maximumBytes: 8)
            let modulus = try key.positiveMPInt(maximumBytes: 16384 / 8)
            try key.requireEnd()
            let publicKey: _RSA.Signing.PublicKey
            do {
                publicKey = try _RSA.Signing.PublicKey(n: modulus, e: exponent)
            } catch {
                throw SSHSignatureError("RSA key is malformed or shorter than 2048 bits")
            }
            guard raw.count == publicKey.keySizeInBits / 8 else {
                throw SSHSignatureError("RSA signature has \(raw.count) bytes for a \(publicKey.keySizeInBits)-bit key")
            }
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: raw)
            if algorithm == "rsa-sha2-512" {
                return publicKey.isValidSignature(rsaSignature, for: SHA512.hash(data: message), padding: .insecurePKCS1v1_5)
            }
            return publicKey.isValidSignature(rsaSignature, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)

        default:
            throw SSHSignatureError("unsupported key type \(type)")
        }
    }
}

/// An SSH signature in OpenSSH's SSHSIG format (`ssh-keygen -Y sign`, git's `gpg.format=ssh`).
public struct SSHSignature: Sendable {
    /// The key that made the signature (as claimed by the signature; `verify` proves it).
    public let publicKey: SSHPublicKey
    public let namespace: String
    /// "sha256" or "sha512": the hash of the message that was signed.
    public let hashAlgorithm: String
    let reserved: [UInt8]
    let signatureBlob: [UInt8]

    /// Armored signatures larger than this are refused unread (a 16384-bit RSA one is under 6 KiB).
    public static let maximumArmoredBytes = 64 * 1024

    static let magic = Array("SSHSIG".utf8)
    static let beginMarker = "-----BEGIN SSH SIGNATURE-----"
    static let endMarker = "-----END SSH SIGNATURE-----"

    /// Parses an armored signature (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    public init(armored: [UInt8]) throws {
        guard armored.count <= Self.maximumArmoredBytes else {
            throw SSHSignatureError("signature is larger than \(Self.maximumArmoredBytes) bytes")
        }
        // Armor is ASCII; anything else is not an SSH signature (an OpenPGP one is refused here too).
        let text = String(decoding: armored, as: UTF8.self)
        // isNewline: "\r\n" is one Character in Swift, so compare by kind, not by value.
        let lines = text.split(omittingEmptySubsequences: true) { $0.isNewline }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard let first = lines.first, first == Self.beginMarker else {
            if text.contains("BEGIN PGP SIGNATURE") { throw SSHSignatureError("signature is an OpenPGP signature, not an SSH one") }
            throw SSHSignatureError("signature does not start with \(Self.beginMarker)")
        }
        guard let last = lines.last, last == Self.endMarker, lines.count >= 2 else {
            throw SSHSignatureError("signature does not end with \(Self.endMarker)")
        }
        guard lines.count >= 3 else { throw SSHSignatureError("signature armor is empty") }
        guard let blob = SSHWire.base64Decode(lines[1..<(lines.count - 1)].joined()) else {
            throw SSHSignatureError("signature armor is not valid base64")
        }
        try self.init(blob: blob)
    }

    /// Parses the binary SSHSIG blob (RFC-style description in OpenSSH's PROTOCOL.sshsig).
    public init(blob: [UInt8]) throws {
        var reader = SSHWireReader(blob, context: "signature")
        guard try reader.fixed(Self.magic.count) == Self.magic else { throw SSHSignatureError("signature lacks the SSHSIG preamble") }
        let version = try reader.uint32()
        guard version == 1 else { throw SSHSignatureError("signature has SSHSIG version \(version); only version 1 is known") }
        publicKey = try SSHPublicKey(blob: try reader.string())
        namespace = try reader.name()
        reserved = try reader.string()
        hashAlgorithm = try reader.name()
        signatureBlob = try reader.string()
        try reader.requireEnd()
        guard hashAlgorithm == "sha256" || hashAlgorithm == "sha512" else {
            throw SSHSignatureError("signature uses hash algorithm \(hashAlgorithm); only sha256 and sha512 are allowed")
        }
    }

    /// The bytes the key actually signed: the preamble, namespace, reserved field, hash algorithm
    /// and the hash of the message, so a signature cannot be replayed into another namespace.
    func signedMessage(for message: [UInt8]) -> [UInt8] {
        let digest: [UInt8] = hashAlgorithm == "sha256" ? Array(SHA256.hash(data: message)) : Array(SHA512.hash(data: message))
        return Self.magic + SSHWire.string(namespace) + SSHWire.string(reserved) + SSHWire.string(hashAlgorithm) + SSHWire.string(digest)
    }

    /// Checks that this signature was made over `message` in `namespace` by `publicKey`.
    /// Throws `SSHSignatureError` saying why when it was not.
    public func verify(message: [UInt8], namespace expected: String = "git") throws {
        guard namespace == expected else {
            throw SSHSignatureError("signature is for namespace \"\(namespace)\", not \"\(expected)\"")
        }
        guard try publicKey.isValidSignature(signatureBlob, for: signedMessage(for: message)) else {
            throw SSHSignatureError("signature does not match the signed data (wrong key or altered commit)")
        }
    }
}
