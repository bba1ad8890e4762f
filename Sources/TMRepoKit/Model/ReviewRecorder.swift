import Foundation
import TMGit
import ThreatModel

/// Records reviews: rewrites each threat's `reviewed` block (and, when asked, marks implemented
/// mitigations verified) with the byte-preserving editor, writes atomically, and can commit the
/// result through libgit2 with one `Reviewed-threat:` trailer per threat.
public struct ReviewRecorder {
    public let store: ModelStore

    public init(store: ModelStore) {
        self.store = store
    }

    public struct Outcome {
        public let paths: [String]
        public let commit: String?
        public let verifiedMitigations: [String]
    }

    /// How long a review waits for another one in the same repository to finish (TMREPO_LOCK_WAIT overrides, in seconds).
    public static var lockWaitSeconds: Double {
        ProcessInfo.processInfo.environment["TMREPO_LOCK_WAIT"].flatMap(Double.init).map { min(max($0, 0), 3600) } ?? 60
    }

    public func record(ids: [String], reviewer: String?, on day: Day, note: String?, verifyMitigations: Bool,
                       commit: Bool) throws -> Outcome {
        let location = try? ModelLocation.find(store: store)
        let repository = location?.repository
        if commit && repository == nil { throw TMRepoError.notAGitRepository(store.root) }
        // One review at a time per repository, from reading the files to committing them: two
        // at once would each commit on the same parent, and one edit would be left uncommitted.
        var lock: FileLock?
        if let repository {
            let path = repository.gitDirectory.hasSuffix("/") ? repository.gitDirectory + "tmrepo-review.lock" : repository.gitDirectory + "/tmrepo-review.lock"
            let wait = Self.lockWaitSeconds
            lock = try FileLock(path: path, waitingUpTo: wait, busy: TMRepoError.io(
                path: path, reason: "another tmrepo review has held this lock for \(Int(wait)) seconds; run the review again when it has finished"))
        }
        defer { lock?.release() }
        let model = try store.load()
        guard let by = reviewer ?? repository?.configString("user.email") else {
            throw TMRepoError.invalidArgument("who reviewed? pass --by EMAIL (or set git's user.email)")
        }
        var threats: [Threat] = []
        for id in ids {
            let threat = try model.requireThreat(id: id)
            if !threats.contains(where: { $0.id == threat.id }) { threats.append(threat) }
        }
        // Edit every file in memory first, so a failure leaves all of them untouched.
        var edited: [(path: String, bytes: [UInt8])] = []
        var verified: [String] = []
        for threat in threats {
            let path = store.absolute(threat.path)
            // Refused before anything is written: a link could lead out of the repository.
            guard try FileSystem.regularFileMode(path) != nil else { throw TMRepoError.io(path: threat.path, reason: "no such file") }
            guard FileSystem.folderIsInside(path, root: store.root) else {
                throw TMRepoError.io(path: threat.path, reason: "its folder is a symbolic link out of the model; tmrepo does not write there")
            }
            var editor: ThreatFileEditor
            do {
                editor = try ThreatFileEditor(bytes: try FileSystem.read(path))
                try editor.setReviewed(on: day, by: by)
                if verifyMitigations {
                    for mitigation in threat.mitigations where mitigation.status == .implemented || mitigation.status == .verified {
                        try editor.setMitigation(mitigation.id, field: "verified", to: day.description)
                        try editor.setMitigation(mitigation.id, field: "status", to: MitigationStatus.verified.rawValue)
                        verified.append("\(threat.id)/\(mitigation.id)")
                    }
                }
            } catch let error as ThreatFileEditor.EditError {
                throw TMRepoError.editFailed(path: threat.path, reason: error.description)
            }
            edited.append((threat.path, editor.bytes))
        }
        for (path, bytes) in edited { try FileSystem.writeAtomically(bytes, to: store.absolute(path)) }

        var commitID: String?
        if commit, let repository, let location {
            var message = "Review \(threats.map(\.id).joined(separator: ", "))\n"
            if let note, !note.isEmpty { message += "\n\(note)\n" }
            message += "\n" + threats.map { "Reviewed-threat: \($0.id)\n" }.joined()
            let files = Dictionary(uniqueKeysWithValues: edited.map { (location.prefix + $0.path, $0.bytes) })
            do {
                let (author, committer) = try CommitIdentity.resolve(repository: repository)
                commitID = try repository.commit(files: files, message: message, author: author, committer: committer).hex
            } catch let error as GitError {
                throw TMRepoError.git(error)
            }
        }
        return Outcome(paths: edited.map(\.path), commit: commitID, verifiedMitigations: verified)
    }
}

/// Who and when a commit made by tmrepo records, the way `git commit` decides it: git's
/// configuration, overridden by GIT_AUTHOR_NAME/EMAIL/DATE and GIT_COMMITTER_NAME/EMAIL/DATE.
enum CommitIdentity {
    static func resolve(repository: Repository, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (Signature, Signature) {
        let base = try repository.defaultSignature()
        func signature(_ role: String) throws -> Signature {
            var time = base.time, offset = base.offsetMinutes
            if let text = environment["GIT_\(role)_DATE"], !text.isEmpty {
                guard let parsed = parseGitDate(text) else {
                    throw TMRepoError.invalidArgument("GIT_\(role)_DATE '\(text)' is not a date tmrepo understands (ISO 8601 or '@<seconds> <zone>')")
                }
                (time, offset) = parsed
            }
            return Signature(name: environment["GIT_\(role)_NAME"] ?? base.name, email: environment["GIT_\(role)_EMAIL"] ?? base.email,
                             time: time, offsetMinutes: offset)
        }
        return (try signature("AUTHOR"), try signature("COMMITTER"))
    }

    /// ISO 8601 (`2026-04-02T08:00:00Z`, `…+02:00`) or git's internal `@1786000000 +0200` / `1786000000 +0200`.
    static func parseGitDate(_ text: String) -> (Int64, Int32)? {
        let parts = text.split(separator: " ")
        if parts.count == 2, let seconds = Int64(parts[0].hasPrefix("@") ? parts[0].dropFirst() : parts[0]) {
            let zone = parts[1]
            guard zone.count == 5, let sign = zone.first, sign == "+" || sign == "-", let hhmm = Int(zone.dropFirst()) else { return nil }
            let minutes = Int32(hhmm / 100 * 60 + hhmm % 100) * (sign == "-" ? -1 : 1)
            return (seconds, minutes)
        }
        guard let seconds = ISOTime.parse(text) else { return nil }
        var offset: Int32 = 0
        if let sign = text.lastIndex(where: { $0 == "+" || $0 == "-" }), text[text.startIndex..<sign].contains("T") {
            let zone = text[text.index(after: sign)...].split(separator: ":")
            if zone.count == 2, let hours = Int32(zone[0]), let minutes = Int32(zone[1]) {
                offset = (hours * 60 + minutes) * (text[sign] == "-" ? -1 : 1)
            }
        }
        return (seconds, offset)
    }
}
