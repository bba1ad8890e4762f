import TMGit
import ThreatModel

/// What the server hook is told at install time and reads from the bare repository's own
/// configuration, never from anything pushed: which branch holds the policy, and where the model
/// lives in a monorepo.
public enum ServerSettings {
    /// The branch whose `.tmrepo.yml` (before the push) is the policy: git config `tmrepo.policyBranch`.
    public static let policyBranchKey = "tmrepo.policyBranch"
    /// The model root inside the repository ("" or "a/b/"): git config `tmrepo.modelRoot`.
    public static let modelRootKey = "tmrepo.modelRoot"

    /// The model's location in a server repository, from `tmrepo.modelRoot`.
    public static func location(directory: String) throws -> ModelLocation {
        let plain = try ModelLocation.find(store: nil, directory: directory)
        guard let root = plain.repository.configString(modelRootKey), !root.isEmpty, root != "." else { return plain }
        return try ModelLocation.find(store: nil, directory: directory, prefix: root)
    }

    /// The full name of the policy branch: `tmrepo.policyBranch`, else the branch HEAD names.
    public static func policyBranch(of repository: Repository) -> String {
        let configured = repository.configString(policyBranchKey).map { $0.hasPrefix("refs/") ? $0 : "refs/heads/" + $0 }
        return configured ?? repository.headBranch() ?? "refs/heads/main"
    }

    /// Records the settings (install time) in the repository at `directory`; the notes say what an
    /// administrator should know.
    public static func record(directory: String, modelRoot: String?) throws -> [String] {
        try record(in: try ModelLocation.find(store: nil, directory: directory).repository, modelRoot: modelRoot)
    }

    static func record(in repository: Repository, modelRoot: String?) throws -> [String] {
        var notes: [String] = []
        let branch = policyBranch(of: repository)
        do {
            try repository.setConfigString(policyBranchKey, branch)
            if let modelRoot {
                let normalized = modelRoot.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
                try repository.setConfigString(modelRootKey, normalized.isEmpty ? "" : normalized + "/")
            }
            if try repository.referenceCommit(branch) == nil {
                notes.append("note: the policy branch \(branch) does not exist yet; until it holds a model, pushes are judged by the default policy, and \(branch) itself can only be created with reviewed content (git config \(policyBranchKey) <branch> to choose another)")
            }
        } catch let error as GitError {
            throw TMRepoError.git(error)
        }
        notes.append("policy branch: \(branch) (git config \(policyBranchKey))")
        return notes
    }
}
