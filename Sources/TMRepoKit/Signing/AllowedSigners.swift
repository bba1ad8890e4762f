import Foundation
import TMGit

/// An allowed-signers file, as git's `gpg.ssh.allowedSignersFile` and `ssh-keygen -Y verify -f`
/// read it (ssh-keygen(1), "ALLOWED SIGNERS"): one key per line,
/// `principals [options] keytype base64-key [comment]`.
///
/// Parsing never fails as a whole: a line that cannot be read is left out and reported in
/// `diagnostics` with its number, so one bad line never grants anything and never hides the rest.
public struct AllowedSigners: Sendable {
    public struct Entry: Sendable, Equatable {
        /// 1-based line number in the file.
        public let line: Int
        /// Comma-separated principal patterns as written (`*` and `?` wildcards, `!` negation).
        public let principals: String
        public let key: SSHPublicKey
        /// The `namespaces="…"` pattern list; nil when the line has none (any namespace).
        public let namespaces: String?
        /// `valid-after` / `valid-before` as seconds since 1970; nil when absent.
        public let validAfter: Int64?
        public let validBefore: Int64?
    }

    public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    public let entries: [Entry]
    public let diagnostics: [Diagnostic]

    /// Bounds for hostile files: larger files are refused whole, longer lines are skipped.
    public static let maximumBytes = 1 << 20
    public static let maximumLineBytes = 16 * 1024
    /// Diagnostics past this many are summarised in one.
    public static let maximumDiagnostics = 50

    public init(entries: [Entry], diagnostics: [Diagnostic] = []) {
        self.entries = entries
        self.diagnostics = diagnostics
    }

    /// Parses a file's bytes. `timeZone` reads `valid-after`/`valid-before` values without a `Z`
    /// suffix (ssh-keygen uses the machine's zone; pass one to be reproducible).
    public init(parsing bytes: [UInt8], timeZone: TimeZone = .current) {
        guard bytes.count <= Self.maximumBytes else {
            self.init(entries: [], diagnostics: [Diagnostic(line: 0, message: "allowed signers file is larger than \(Self.maximumBytes) bytes; no key is trusted")])
            return
        }
        var entries: [Entry] = []
        var diagnostics: [Diagnostic] = []
        var skipped = 0
        var number = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            do {
                if let entry = try Self.parseLine(Array(rawLine), number: number, timeZone: timeZone) { entries.append(entry) }
            } catch {
                guard diagnostics.count < Self.maximumDiagnostics else {
                    skipped += 1
                    continue
                }
                diagnostics.append(Diagnostic(line: number, message: (error as? SSHSignatureError)?.message ?? "\(error)"))
            }
        }
        if skipped > 0 { diagnostics.append(Diagnostic(line: number, message: "\(skipped) more lines were skipped with errors")) }
        self.init(entries: entries, diagnostics: diagnostics)
    }

    public init(parsing text: String, timeZone: TimeZone = .current) {
        self.init(parsing: Array(text.utf8), timeZone: timeZone)
    }

    /// The allowed-signers file at `path` (repository-relative) in `commit`'s tree; nil when
    /// there is no file there. Read it from the base of a change, so the change cannot vouch
    /// for itself by editing the file.
    public static func load(from repository: Repository, commit: ObjectID, path: String,
                            timeZone: TimeZone = .current) throws -> AllowedSigners? {
        let tree = try repository.commit(commit).tree
        guard let entry = try repository.entryID(in: tree, path: path), entry.kind == .blob else { return nil }
        return AllowedSigners(parsing: try repository.blob(entry.id), timeZone: timeZone)
    }

    // MARK: - Queries

    /// The entries listing `key` that apply in `namespace` at `time` (seconds since 1970).
    public func entries(for key: SSHPublicKey, namespace: String = "git", at time: Int64) -> [Entry] {
        entries.filter { $0.key == key && $0.applies(namespace: namespace, at: time) }
    }

    /// The principal patterns `key` is listed for in `namespace` at `time`, in file order.
    public func principals(for key: SSHPublicKey, namespace: String = "git", at time: Int64) -> [String] {
        entries(for: key, namespace: namespace, at: time).map(\.principals)
    }

    /// Whether `key` is listed for `principal` (e.g. an email), as `ssh-keygen -Y verify -I` decides.
    public func allows(_ key: SSHPublicKey, for principal: String, namespace: String = "git", at time: Int64) -> Bool {
        entries(for: key, namespace: namespace, at: time).contains { PatternList.matches(principal, $0.principals) }
    }

    // MARK: - Parsing

    /// nil for blank and comment lines.
    static func parseLine(_ raw: [UInt8], number: Int, timeZone: TimeZone) throws -> Entry? {
        guard raw.count <= maximumLineBytes else { throw SSHSignatureError("line is longer than \(maximumLineBytes) bytes") }
        var text = String(decoding: raw, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        var scanner = LineScanner(Array(text.unicodeScalars))
        scanner.skipSpace()
        if scanner.isAtEnd || scanner.peek == "#" { return nil }

        guard let principals = try scanner.token(), !principals.isEmpty else { throw SSHSignatureError("missing principals") }
        scanner.skipSpace()
        // Options come between principals and the key; a word that names a key type means there are none.
        guard var word = try scanner.token() else { throw SSHSignatureError("missing key") }
        var options: String?
        if !Self.looksLikeKeyType(word) {
            options = word
            scanner.skipSpace()
            guard let next = try scanner.token() else { throw SSHSignatureError("missing key after options") }
            word = next
        }
        let keyType = word
        scanner.skipSpace()
        guard let encoded = try scanner.token(), !encoded.isEmpty else { throw SSHSignatureError("missing base64 key after \(keyType)") }
        // Anything after the key is a comment.

        guard let blob = SSHWire.base64Decode(encoded) else { throw SSHSignatureError("key is not valid base64") }
        let key = try SSHPublicKey(blob: blob)
        guard key.keyType == keyType else { throw SSHSignatureError("key type \(keyType) does not match the key's own type \(key.keyType)") }

        var namespaces: String?
        var validAfter: Int64?
        var validBefore: Int64?
        if let options {
            for option in try Self.splitOptions(options) {
                let (name, value) = Self.nameAndValue(option)
                switch name.lowercased() {
                case "cert-authority":
                    // Certificates are not verified by tmrepo: refuse rather than trust a CA as a plain key.
                    throw SSHSignatureError("cert-authority entries are not supported; list each signer's own key")
                case "namespaces":
                    guard let value, !value.isEmpty else { throw SSHSignatureError("namespaces needs a quoted value, e.g. namespaces=\"git\"") }
                    namespaces = value
                case "valid-after":
                    guard let value, let time = Self.parseTime(value, timeZone: timeZone) else {
                        throw SSHSignatureError("valid-after needs a quoted time, e.g. valid-after=\"20250131\" or \"202501311200Z\"")
                    }
                    validAfter = time
                case "valid-before":
                    guard let value, let time = Self.parseTime(value, timeZone: timeZone) else {
                        throw SSHSignatureError("valid-before needs a quoted time, e.g. valid-before=\"20250131\" or \"202501311200Z\"")
                    }
                    validBefore = time
                default:
                    throw SSHSignatureError("unsupported option \"\(name.prefix(40))\"")
                }
            }
        }
        if let validAfter, let validBefore, validBefore <= validAfter {
            throw SSHSignatureError("valid-before is not after valid-after")
        }
        return Entry(line: number, principals: principals, key: key, namespaces: namespaces, validAfter: validAfter, validBefore: validBefore)
    }

    /// Key type names as they start (OpenSSH's plain, certificate and security-key types).
    static func looksLikeKeyType(_ word: String) -> Bool {
        ["ssh-", "ecdsa-", "sk-", "rsa-"].contains { word.hasPrefix($0) }
    }

    /// Splits `a,b="x,y",c` at commas outside quotes.
    static func splitOptions(_ text: String) throws -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == ",", !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw SSHSignatureError("unterminated quote in options") }
        parts.append(current)
        guard !parts.contains(where: \.isEmpty) else { throw SSHSignatureError("empty option") }
        return parts
    }

    /// `name="value"` → (name, value). ssh-keygen refuses unquoted values, so they read as
    /// missing here too (the line is refused, as git would refuse it).
    static func nameAndValue(_ option: String) -> (String, String?) {
        guard let equals = option.firstIndex(of: "=") else { return (option, nil) }
        let value = option[option.index(after: equals)...]
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return (String(option[..<equals]), nil) }
        return (String(option[..<equals]), String(value.dropFirst().dropLast()))
    }

    /// ssh-keygen's `YYYYMMDD[HHMM[SS]][Z]`; without `Z` the time is in `timeZone`.
    static func parseTime(_ text: String, timeZone: TimeZone) -> Int64? {
        var digits = Substring(text)
        var zone = timeZone
        if digits.hasSuffix("Z") || digits.hasSuffix("z") {
            digits = digits.dropLast()
            zone = TimeZone(identifier: "UTC") ?? timeZone
        }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        func field(_ from: Int, _ length: Int) -> Int? {
            guard digits.count >= from + length else { return 0 }
            let start = digits.index(digits.startIndex, offsetBy: from)
            return Int(digits[start..<digits.index(start, offsetBy: length)])
        }
        guard let year = field(0, 4), let month = field(4, 2), let day = field(6, 2),
              let hour = field(8, 2), let minute = field(10, 2), let second = field(12, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        // Reject dates the calendar would roll over (e.g. February 30th).
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == day else { return nil }
        return Int64(date.timeIntervalSince1970)
    }
}

extension AllowedSigners.Entry {
    /// Whether this entry may vouch for a signature in `namespace` made at `time`.
    func applies(namespace: String, at time: Int64) -> Bool {
        if let namespaces, !PatternList.matches(namespace, namespaces) { return false }
        if let validAfter, time < validAfter { return false }
        if let validBefore, time > validBefore { return false }
        return true
    }

    public var fingerprint: String { key.fingerprint }
}

/// OpenSSH's pattern lists (`match_pattern_list`): comma-separated patterns with `*` and `?`,
/// a `!` in front denies. Matching is case-sensitive, as for allowed signers.
enum PatternList {
    static func matches(_ string: String, _ list: String) -> Bool {
        var positive = false
        for pattern in list.split(separator: ",", omittingEmptySubsequences: true) {
            let negated = pattern.hasPrefix("!")
            let body = negated ? pattern.dropFirst() : pattern[...]
            guard wildcardMatch(Array(string.unicodeScalars), Array(body.unicodeScalars)) else { continue }
            if negated { return false }
            positive = true
        }
        return positive
    }

    /// Greedy matching with one backtrack point: O(n·m), never exponential on hostile patterns.
    static func wildcardMatch(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
        var t = 0, p = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t], pattern[p] != "*" {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

/// Splits an allowed-signers line into whitespace-separated tokens; a token may be double-quoted
/// (principals with spaces, `namespaces="a,b"` inside options).
struct LineScanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    var isAtEnd: Bool { index >= scalars.count }
    var peek: Unicode.Scalar? { isAtEnd ? nil : scalars[index] }

    mutating func skipSpace() {
        while let scalar = peek, scalar == " " || scalar == "\t" { index += 1 }
    }

    /// The next token; quotes that wrap a whole token are removed, quotes inside one are kept
    /// (option values). nil at the end of the line.
    mutating func token() throws -> String? {
        guard !isAtEnd else { return nil }
        if peek == "\"" {
            index += 1
            var out = String.UnicodeScalarView()
            while let scalar = peek, scalar != "\"" {
                out.append(scalar)
                index += 1
            }
            guard peek == "\"" else { throw SSHSignatureError("unterminated quote") }
            index += 1
            return String(out)
        }
        var out = String.UnicodeScalarView()
        var quoted = false
        while let scalar = peek {
            if scalar == "\"" { quoted.toggle() }
            if !quoted, scalar == " " || scalar == "\t" { break }
            out.append(scalar)
            index += 1
        }
        guard !quoted else { throw SSHSignatureError("unterminated quote") }
        return String(out)
    }
}
