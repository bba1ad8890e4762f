import Foundation
import TMGit
import ThreatModel

/// The history of the catalog (shared mitigations and assumptions) reachable from a commit:
/// when each item's file was added, when its `verified` and implemented status were set, and
/// its reviews (`Reviewed-assumption:` / `Reviewed-mitigation:` trailers, changes of its
/// `reviewed` block; commit time counts, as for threats). Read only when the model has a
/// catalog, so models without one pay nothing. Items are followed by path (a rename starts over).
enum CatalogHistory {
    /// The trailer keys that count as reviews of catalog items, lowercased.
    static let trailerKeys = CatalogKind.allCases.map { $0.trailer.lowercased() }

    static func facts(repository: Repository, head: ObjectID, prefix: String, model: Model) throws -> CatalogFacts {
        let items: [(id: String, path: String, kind: CatalogKind)] = model.sharedMitigations.map { ($0.id, $0.path, .mitigation) }
            + model.assumptions.map { ($0.id, $0.path, .assumption) }
        guard !items.isEmpty else { return CatalogFacts() }
        let folders = CatalogKind.allCases.map { prefix + String(model.config.directory(for: $0).dropLast()) }
        var facts: [String: CatalogItemFacts] = [:]
        for item in items { facts[ThreatID.key(item.id)] = CatalogItemFacts() }
        /// The version of each item's file in the last commit seen on the way (by commit id), to compare with.
        var folderIDs: [ObjectID: [ObjectID?]] = [:]
        var blobs: [ObjectID: [ObjectID?]] = [:]
        var parsedBlobs: [ObjectID: (verified: Day?, status: MitigationStatus?, reviewed: ReviewClaim?)] = [:]
        func read(_ blob: ObjectID, _ item: (id: String, path: String, kind: CatalogKind)) throws -> (verified: Day?, status: MitigationStatus?, reviewed: ReviewClaim?) {
            if let known = parsedBlobs[blob] { return known }
            let parsed = CatalogParser.parse(path: item.path, bytes: try repository.blob(blob), kind: item.kind)
            let value = (parsed.mitigation?.verified, parsed.mitigation?.status, parsed.mitigation?.reviewed ?? parsed.assumption?.reviewed)
            parsedBlobs[blob] = value
            return value
        }
        try repository.walk(from: [head]) { commit in
            let ref = CommitRef(commit: commit.id.hex, time: commit.committer.time,
                                author: Identity(name: commit.author.name, email: commit.author.email))
            // Trailers first: a commit may review items without changing them.
            let lower = commit.message.lowercased()
            if trailerKeys.contains(where: { lower.contains($0) }) {
                for trailer in try messageTrailers(commit.message) where trailerKeys.contains(trailer.key.lowercased()) {
                    for part in trailer.value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
                        let key = ThreatID.key(String(part))
                        guard facts[key] != nil else { continue }
                        facts[key]!.addReview(ref: ref, byTrailer: true, reviewer: commit.author.email)
                    }
                }
            }
            // Only commits that changed a catalog folder (compared with the first parent) are read further.
            let folderNow = try folders.map { try repository.entryID(in: commit.tree, path: $0)?.id }
            folderIDs[commit.id] = folderNow
            let parent = commit.parents.first
            if let parent, folderIDs[parent] == folderNow { blobs[commit.id] = blobs[parent]; return }
            let now = try items.map { try repository.entryID(in: commit.tree, path: prefix + $0.path).flatMap { $0.kind == .blob ? $0.id : nil } }
            blobs[commit.id] = now
            let before = parent.flatMap { blobs[$0] } ?? Array(repeating: nil, count: items.count)
            for (index, item) in items.enumerated() where now[index] != before[index] {
                let key = ThreatID.key(item.id)
                guard let blob = now[index] else { continue }
                let new = try read(blob, item)
                guard let old = try before[index].map({ try read($0, item) }) else {
                    facts[key]!.created = ref
                    if new.verified != nil { facts[key]!.verifiedSetBy = ref }
                    if new.status == .implemented || new.status == .verified { facts[key]!.implementedSetBy = ref }
                    if new.reviewed != nil { facts[key]!.addReview(ref: ref, byTrailer: false, reviewer: new.reviewed?.by ?? commit.author.email) }
                    continue
                }
                if new.verified != nil && new.verified != old.verified { facts[key]!.verifiedSetBy = ref }
                if let status = new.status, status == .implemented || status == .verified, old.status != status { facts[key]!.implementedSetBy = ref }
                if new.reviewed != nil && new.reviewed != old.reviewed {
                    facts[key]!.addReview(ref: ref, byTrailer: false, reviewer: new.reviewed?.by ?? commit.author.email)
                }
            }
        }
        return CatalogFacts(items: facts)
    }
}
