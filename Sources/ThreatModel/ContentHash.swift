import Crypto

/// The project's hashes, in one place. SHA-256 wherever a hash decides something a contributor
/// could want to forge (what counts as a change, ids derived from names); FNV-1a only as a
/// checksum that catches torn or damaged cache files, where speed matters and no one gains by a
/// collision (the cache lives in the git directory, which the tool trusts anyway).
public enum ContentHash {
    public static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(SHA256.hash(data: Array(bytes)))
    }

    /// FNV-1a, 64 bits: a damage check, not an integrity proof.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
