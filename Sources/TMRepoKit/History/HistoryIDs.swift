import TMGit
import ThreatModel

/// Ids that threats have ever had in git history, so `new` never hands out a retired id.
public enum HistoryIDs {
    /// Every id seen in history reachable from HEAD; empty outside git or before the first commit.
    public static func everSeen(store: ModelStore, config: ModelConfig) throws -> Set<String> {
        guard let location = try? ModelLocation.find(store: store), (try? location.repository.headCommit()) != nil else { return [] }
        do {
            return try HistoryEngine(location: location).analyze(timelines: false).everSeenIDs
        } catch TMRepoError.modelNotFound {
            return []   // the model was never committed
        }
    }
}
