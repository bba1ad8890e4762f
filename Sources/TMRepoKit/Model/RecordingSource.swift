/// A source that notes every path a reader asks about: files read, folders listed, and files
/// looked for and not found. A later commit that touches none of them leaves the model as it was
/// read (the status memo's test).
final class RecordingSource: ModelFileSource {
    let inner: ModelFileSource
    /// Relative to the model root, without a trailing slash ("" for the root itself).
    private(set) var paths: Set<String> = []

    init(_ inner: ModelFileSource) {
        self.inner = inner
    }

    var name: String { inner.name }

    func entry(_ path: String) throws -> SourceEntry? {
        paths.insert(Self.trimmed(path))
        return try inner.entry(path)
    }

    func entries(under folder: String) throws -> [SourceEntry] {
        paths.insert(Self.trimmed(folder))
        return try inner.entries(under: folder)
    }

    func files(under folder: String, entering: (String) -> Bool, keeping: (String) -> Bool) throws -> [SourceEntry] {
        paths.insert(Self.trimmed(folder))
        return try inner.files(under: folder, entering: entering, keeping: keeping)
    }

    func bytes(of entry: SourceEntry) throws -> [UInt8] {
        try inner.bytes(of: entry)
    }

    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
