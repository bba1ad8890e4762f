#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Reads a commit object's text the way libgit2 does, for the commits written the way git writes
/// them: "tree", "parent"s, one "author", one "committer", other headers, a blank line, the message.
/// Anything else (a NUL byte, upper-case hex, a second author, a signature without a time or zone,
/// a missing line end) gets nil, and the caller asks libgit2, whose answer or error stands: this
/// reader only ever agrees with it, faster (a history listing reads every commit).
enum CommitText {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, id: ObjectID, names: StringInterner) -> CommitInfo? {
        guard let base = bytes.baseAddress, memchr(base, 0, bytes.count) == nil else { return nil }
        var cursor = 0
        guard let tree = idLine("tree ", bytes, &cursor) else { return nil }
        var parents: [ObjectID] = []
        while let parent = idLine("parent ", bytes, &cursor) { parents.append(parent) }
        guard let author = signatureLine("author ", bytes, &cursor, names),
              let committer = signatureLine("committer ", bytes, &cursor, names) else { return nil }
        // Further headers up to the first empty line (libgit2 takes a second author or committer
        // in its own way: left to it). No empty line: no message.
        var message = bytes.count
        while cursor < bytes.count {
            if bytes[cursor] == 0x0A {
                message = cursor + 1
                break
            }
            if starts(bytes, at: cursor, with: "author ") || starts(bytes, at: cursor, with: "committer ") { return nil }
            cursor = lineEnd(bytes, from: cursor).map { $0 + 1 } ?? bytes.count
        }
        // git_commit_message leaves out the message's leading line feeds.
        while message < bytes.count && bytes[message] == 0x0A { message += 1 }
        return CommitInfo(id: id, parents: parents, tree: tree, author: author, committer: committer,
                          message: String(decoding: UnsafeBufferPointer(rebasing: bytes[message...]), as: UTF8.self))
    }

    /// `<header><40 lower-case hex digits>\n`, moving past it; nil (cursor unmoved) otherwise.
    private static func idLine(_ header: StaticString, _ bytes: UnsafeBufferPointer<UInt8>, _ cursor: inout Int) -> ObjectID? {
        let start = cursor + header.utf8CodeUnitCount
        guard starts(bytes, at: cursor, with: header), start + 41 <= bytes.count, bytes[start + 40] == 0x0A else { return nil }
        var raw = [UInt8](repeating: 0, count: 20)
        for index in 0..<20 {
            guard let high = lowerHex(bytes[start + 2 * index]), let low = lowerHex(bytes[start + 2 * index + 1]) else { return nil }
            raw[index] = high << 4 | low
        }
        cursor = start + 41
        return ObjectID(bytes: raw)
    }

    /// `<header>Name <email> <seconds> <+|-><hhmm>\n` with one `<` and one `>`, as git writes it.
    /// Name and email are trimmed as libgit2 trims them; a zone past 14 hours or 59 minutes
    /// counts as UTC, as there.
    private static func signatureLine(_ header: StaticString, _ bytes: UnsafeBufferPointer<UInt8>, _ cursor: inout Int,
                                      _ names: StringInterner) -> Signature? {
        guard starts(bytes, at: cursor, with: header), let end = lineEnd(bytes, from: cursor) else { return nil }
        let start = cursor + header.utf8CodeUnitCount
        var open = -1, close = -1
        for index in start..<end {
            switch bytes[index] {
            case UInt8(ascii: "<"): guard open < 0 else { return nil }; open = index
            case UInt8(ascii: ">"): guard close < 0 else { return nil }; close = index
            default: break
            }
        }
        guard open >= 0, close > open else { return nil }
        // " <seconds> " then the zone: a sign and four digits, and the line ends.
        var at = close + 1
        guard at < end, bytes[at] == 0x20 else { return nil }
        at += 1
        var seconds: Int64 = 0, digits = 0
        while at < end, let digit = decimal(bytes[at]) {
            guard digits < 18 else { return nil }
            seconds = seconds * 10 + Int64(digit)
            digits += 1
            at += 1
        }
        guard digits > 0, at + 6 == end, bytes[at] == 0x20, bytes[at + 1] == UInt8(ascii: "+") || bytes[at + 1] == UInt8(ascii: "-") else { return nil }
        var zone: Int32 = 0
        for offset in 2..<6 {
            guard let digit = decimal(bytes[at + offset]) else { return nil }
            zone = zone * 10 + Int32(digit)
        }
        let hours = zone / 100, minutes = zone % 100
        var offsetMinutes: Int32 = hours <= 14 && minutes <= 59 ? hours * 60 + minutes : 0
        if bytes[at + 1] == UInt8(ascii: "-") { offsetMinutes = -offsetMinutes }
        cursor = end + 1
        return Signature(name: names.string(trimmed(bytes, start, open)), email: names.string(trimmed(bytes, open + 1, close)),
                         time: seconds, offsetMinutes: offsetMinutes)
    }

    /// The bytes in `start..<end` without libgit2's "crud" at either end (controls, space and `.,:;<>"\'`).
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        var low = start, high = end
        while low < high && isCrud(bytes[low]) { low += 1 }
        while high > low && isCrud(bytes[high - 1]) { high -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[low..<high])
    }

    private static func isCrud(_ byte: UInt8) -> Bool {
        byte <= 32 || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ";")
            || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            || byte == UInt8(ascii: "'")
    }

    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, at cursor: Int, with header: StaticString) -> Bool {
        let count = header.utf8CodeUnitCount
        guard cursor + count <= bytes.count else { return false }
        return memcmp(bytes.baseAddress! + cursor, header.utf8Start, count) == 0
    }

    private static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from cursor: Int) -> Int? {
        guard cursor < bytes.count, let found = memchr(bytes.baseAddress! + cursor, 0x0A, bytes.count - cursor) else { return nil }
        return found.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: bytes.baseAddress!)
    }

    private static func lowerHex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    private static func decimal(_ byte: UInt8) -> UInt8? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
    }
}
