import Foundation

/// A problem in a file being imported, naming the JSON path (`$.threats[3].metadata[1].value`).
public struct InteropError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }

    init(at path: String, _ message: String) {
        self.description = "\(path): \(message)"
    }
}

/// Reads a JSON document from another tool as hostile input: bounded in size, every string
/// cleaned of control characters (and said so) and capped in length, every integer field a
/// whole number in range. What it cannot clean is an error naming the JSON path, so no value
/// from the file can trap or blow up later.
enum InteropJSON {
    /// The largest file an import reads (diagram images included).
    static let maximumFileBytes = 64 << 20
    /// The most text one imported string may hold. Threat Composer writes at most 1,400
    /// characters in a statement; a threat file holds at most 1 MiB. Longer is refused, not cut.
    static let maximumTextBytes = 256 << 10
    /// The largest whole number an imported id or order may be.
    static let maximumInteger = 999_999_999
    /// How many cleaning notes are listed one by one before they are counted.
    static let maximumNotes = 20

    struct Options {
        /// Keys whose numbers must be whole numbers from 0 to `maximumInteger`.
        var integerKeys: Set<String> = []
        /// JSON paths whose values are dropped unread (diagram images), replaced by `true`.
        var dropped: Set<String> = []
    }

    /// `$.a.b`, or `$["odd key"]` for a key that is not a plain name.
    static func child(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
        if plain { return path + "." + key }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return path + "[\"" + escaped + "\"]"
    }

    static func index(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }

    /// The document, cleaned, and what cleaning changed.
    static func read(_ data: Data, format: String, options: Options) throws -> (root: [String: Any], notes: [String]) {
        guard data.count <= maximumFileBytes else {
            throw InteropError("\(data.count) bytes; tmrepo imports \(format) files of at most \(maximumFileBytes) bytes")
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw InteropError("not a \(format) file: not valid JSON (or nested too deeply)")
        }
        guard let object = parsed as? [String: Any] else {
            throw InteropError("not a \(format) file: the JSON root is not an object")
        }
        var cleaner = Cleaner(options: options)
        let root = try cleaner.clean(object, at: "$") as! [String: Any]
        var notes = cleaner.notes.prefix(maximumNotes).map { $0 }
        if cleaner.notes.count > maximumNotes { notes.append("… and \(cleaner.notes.count - maximumNotes) more strings with control characters removed") }
        return (root, notes)
    }

    private struct Cleaner {
        let options: Options
        var notes: [String] = []

        mutating func clean(_ value: Any, at path: String) throws -> Any {
            if options.dropped.contains(path) { return true }
            if let text = value as? String {
                guard text.utf8.count <= maximumTextBytes else {
                    throw InteropError(at: path, "\(text.utf8.count) bytes of text, more than the \(maximumTextBytes) tmrepo imports in one value; shorten it")
                }
                let (cleaned, removed) = InteropJSON.withoutControlCharacters(text)
                if removed > 0 { notes.append("\(path): removed \(removed) control character\(removed == 1 ? "" : "s")") }
                return cleaned
            }
            if let object = value as? [String: Any] {
                var out: [String: Any] = [:]
                for key in object.keys.sorted() {
                    let item = object[key]!
                    let itemPath = child(path, key)
                    let cleanKey = InteropJSON.withoutControlCharacters(key).text
                    if options.integerKeys.contains(key) {
                        out[cleanKey] = try InteropJSON.wholeNumber(item, at: itemPath)
                    } else {
                        out[cleanKey] = try clean(item, at: itemPath)
                    }
                }
                return out
            }
            if let array = value as? [Any] {
                var out: [Any] = []
                out.reserveCapacity(array.count)
                for (offset, item) in array.enumerated() { out.append(try clean(item, at: index(path, offset))) }
                return out
            }
            return value
        }
    }

    /// A whole number from 0 to `maximumInteger`, or an error naming the path (10^26, -1, 1.5, "3").
    static func wholeNumber(_ value: Any, at path: String) throws -> Int {
        var whole: Int?
        if let number = value as? NSNumber, !(value is String) {
            let double = number.doubleValue
            if double.isFinite, double.rounded() == double, abs(double) <= Double(maximumInteger) {
                whole = Int(double)
            }
        }
        guard let whole, (0...maximumInteger).contains(whole) else {
            let shown = (value as? String).map { "'\(String($0.prefix(40)))'" } ?? String(describing: value).prefix(40).description
            throw InteropError(at: path, "\(shown) is not a whole number from 0 to \(maximumInteger)")
        }
        return whole
    }

    /// Control characters dropped (tabs and newlines kept, CR LF and CR made LF), and how many were dropped.
    static func withoutControlCharacters(_ text: String) -> (text: String, removed: Int) {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return (text, 0) }
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        var removed = 0
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n" && previous == "\r" { continue }
            if scalar == "\r" { out.append("\n"); continue }
            if isControl(scalar) && scalar != "\n" && scalar != "\t" { removed += 1; continue }
            out.append(scalar)
        }
        return (String(out), removed)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Whether a string holds anything but white space.
    static func isBlank(_ text: String?) -> Bool {
        (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
}
