import Foundation
import ThreatModel

/// AWS Threat Composer (`.tc.json`, schema 1) import and export. Threat Composer has no place for
/// owners, reviews, evidence or exact severities; tmrepo carries them in `custom:` metadata on
/// the way out and reads them back on the way in, so a round trip loses nothing.
///
/// One idea per file: ThreatComposerValidation (reading the document as hostile input),
/// ThreatComposerImport (document → threat files), ThreatComposerExport (model → document).
public enum ThreatComposer {
    public struct ImportPlan {
        public struct File {
            public let path: String
            public let bytes: [UInt8]
            public let threatID: String
            public let composerID: String
        }

        public var files: [File] = []
        /// Threat Composer threats not imported, and why (e.g. already imported as T-0004).
        public var skipped: [(composerID: String, reason: String)] = []
        /// What could not be mapped or was changed (cleaned text, inferred STRIDE), per threat or for the whole file.
        public var notes: [String] = []
        /// Threats to be written that need an owner (open or mitigated) and have none: the import
        /// must not write them (lint would reject them); the caller asks for an owner.
        public var ownerless: [String] = []
        /// Catalog files to write (shared mitigations, assumptions); `threatID` holds the catalog id.
        public var catalogFiles: [File] = []
    }

    /// One line of text, cut at a word near `limit` characters.
    static func oneLine(_ text: String, limit: Int = 160) -> String {
        let flat = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" }).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        guard flat.count > limit else { return flat }
        let cut = flat.prefix(limit)
        let end = cut.lastIndex(of: " ") ?? cut.endIndex
        return String(cut[..<end]) + "…"
    }
}
