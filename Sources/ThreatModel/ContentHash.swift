import Crypto

/// The project's hashes, in one place. SHA-256 wherever a hash decides something a contributor
/// could want to forge (what counts as a change, ids derived from names); FNV-1a only as a
/// checksum that catches torn or damaged cache files, where speed matters and no one gains by a
/// collision (the cache lives in the git directory, which the tool trusts anyway).
public enum ContentHash {
    public static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(SHA256.hash(data: Array(bytes)))
    }

    /// FNV-1a, 64 bits, over little-endian 64-bit words in four interleaved lanes (a byte at a time
    /// for the tail), then the lanes and the length folded together: a damage check, not an
    /// integrity proof. Each step is a bijection of its lane, so any one changed word changes the
    /// result; words instead of bytes and independent lanes make it several times faster than
    /// plain FNV-1a, which matters for the tens of megabytes of cache read on every run.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        let basis: UInt64 = 0xcbf2_9ce4_8422_2325, prime: UInt64 = 0x0000_0100_0000_01b3
        return bytes.withUnsafeBytes { raw -> UInt64 in
            var a = basis, b = basis ^ 1, c = basis ^ 2, d = basis ^ 3
            var offset = 0
            func word(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            while offset + 32 <= raw.count {
                a = (a ^ word(offset)) &* prime
                b = (b ^ word(offset + 8)) &* prime
                c = (c ^ word(offset + 16)) &* prime
                d = (d ^ word(offset + 24)) &* prime
                offset += 32
            }
            while offset < raw.count {
                a = (a ^ UInt64(raw[offset])) &* prime
                offset += 1
            }
            var hash = basis
            for lane in [a, b, c, d, UInt64(raw.count)] { hash = (hash ^ lane) &* prime }
            return hash
        }
    }
}
