import ThreatModel

/// Commit references and reviews in the binary files (fold snapshot, status memo).
extension BinaryWriter {
    mutating func ref(_ ref: CommitRef) {
        string(ref.commit)
        int64(ref.time)
        string(ref.author.name)
        string(ref.author.email)
    }

    mutating func optionalRef(_ ref: CommitRef?) {
        guard let ref else { return byte(0) }
        byte(1)
        self.ref(ref)
    }
}

extension BinaryReader {
    mutating func ref() throws -> CommitRef {
        CommitRef(commit: try string(), time: try int64(), author: Identity(name: try string(), email: try string()))
    }

    mutating func optionalRef() throws -> CommitRef? {
        switch try byte() {
        case 0: return nil
        case 1: return try ref()
        default: throw Malformed()
        }
    }
}

/// A review: its commit, how it was made, and who made it.
extension BinaryWriter {
    mutating func review(_ review: Review) {
        ref(review.ref)
        byte(review.via == .trailer ? 0 : 1)
        string(review.reviewer)
    }
}

extension BinaryReader {
    mutating func review() throws -> Review {
        let ref = try ref()
        let via: Review.Via
        switch try byte() {
        case 0: via = .trailer
        case 1: via = .reviewedBlock
        default: throw Malformed()
        }
        return Review(persisted: ref, via: via, reviewer: try string())
    }
}
