import Foundation
import TMGit

/// The hook scripts tmrepo installs: each only calls `tmrepo hook NAME` (all logic is in the
/// binary, tested there), after running a hook that was there before, if any.
public enum HookScripts {
    public static let client = ["pre-commit", "commit-msg", "pre-merge-commit", "pre-push"]
    public static let server = ["pre-receive"]
    /// Hooks git feeds on standard input, which must be passed to both a chained hook and tmrepo.
    static let readsInput: Set = ["pre-push", "pre-receive"]
    /// Marks a hook as tmrepo's, so it is replaced or removed only when it is ours.
    public static let marker = "# tmrepo-hook"
    /// Where a hook that was there before is kept and chained.
    public static let chainedSuffix = ".pre-tmrepo"

    /// The script for `name`; `tmrepo` is the binary to call (default: the one on PATH).
    public static func script(_ name: String, tmrepo: String = "tmrepo") -> String {
        let chain: String
        if readsInput.contains(name) {
            chain = """
            if [ -x "$0\(chainedSuffix)" ]; then
                input=$(cat)
                printf '%s\\n' "$input" | "$0\(chainedSuffix)" "$@" || exit $?
                printf '%s\\n' "$input" | exec "$TMREPO" hook \(name) "$@"
            fi
            """
        } else {
            chain = """
            if [ -x "$0\(chainedSuffix)" ]; then
                "$0\(chainedSuffix)" "$@" || exit $?
            fi
            """
        }
        return """
        #!/bin/sh
        \(marker) \(name): installed by `tmrepo hooks install`; `tmrepo hooks uninstall` removes it.
        TMREPO="${TMREPO:-\(tmrepo)}"
        command -v "$TMREPO" >/dev/null 2>&1 || TMREPO=tmrepo
        \(chain)
        exec "$TMREPO" hook \(name) "$@"

        """
    }
}

/// Installs and removes the hooks without clobbering anyone's: an existing hook is kept as
/// `NAME.pre-tmrepo` and run first (or, with `chain: false`, installation stops with a message).
public struct HookInstaller {
    public let directory: String

    /// The installer for a model's repository: core.hooksPath, or the git directory's hooks/, or `explicit`.
    public init(location: ModelLocation, explicit: String?) {
        self.init(directory: Self.directory(for: location.repository, explicit: explicit))
    }

    public init(directory: String) {
        self.directory = directory
    }

    /// The hooks folder git uses: core.hooksPath when set (relative to the work tree, or to the
    /// git directory in a bare repository), else `<common git dir>/hooks` (shared by worktrees).
    public static func directory(for repository: Repository, explicit: String?) -> String {
        if let explicit { return FileSystem.absolute(explicit) }
        if let configured = repository.configString("core.hooksPath"), !configured.isEmpty {
            let expanded = configured.hasPrefix("~/") ? NSHomeDirectory() + configured.dropFirst() : configured
            if expanded.hasPrefix("/") { return FileSystem.absolute(expanded) }
            return FileSystem.absolute(expanded, relativeTo: repository.workingDirectory ?? repository.gitDirectory)
        }
        return FileSystem.absolute(repository.commonDirectory + "hooks")
    }

    public func install(_ names: [String], tmrepo: String, chain: Bool = true) throws -> [String] {
        try FileSystem.createDirectory(directory)
        var done: [String] = []
        for name in names {
            let path = directory + "/" + name
            if FileSystem.exists(path) {
                let current = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                if !current.contains(HookScripts.marker) {
                    guard chain else {
                        throw TMRepoError.fileExists("\(path) (an existing hook; pass --chain to keep it and run it first)")
                    }
                    guard !FileSystem.exists(path + HookScripts.chainedSuffix) else {
                        throw TMRepoError.fileExists(path + HookScripts.chainedSuffix)
                    }
                    guard rename(path, path + HookScripts.chainedSuffix) == 0 else {
                        throw TMRepoError.io(path: path, reason: "cannot move the existing hook aside")
                    }
                    done.append("kept the existing \(name) as \(name)\(HookScripts.chainedSuffix); it runs first")
                }
            }
            try FileSystem.writeAtomically(Array(HookScripts.script(name, tmrepo: tmrepo).utf8), to: path)
            guard chmod(path, 0o755) == 0 else { throw TMRepoError.io(path: path, reason: "cannot make the hook executable") }
            done.append("installed \(path)")
        }
        return done
    }

    public func uninstall(_ names: [String]) throws -> [String] {
        var done: [String] = []
        for name in names {
            let path = directory + "/" + name
            guard FileSystem.exists(path), let text = try? String(contentsOfFile: path, encoding: .utf8),
                  text.contains(HookScripts.marker) else { continue }
            unlink(path)
            done.append("removed \(path)")
            if FileSystem.exists(path + HookScripts.chainedSuffix) {
                guard rename(path + HookScripts.chainedSuffix, path) == 0 else {
                    throw TMRepoError.io(path: path, reason: "cannot restore the previous hook")
                }
                done.append("restored the previous \(name)")
            }
        }
        return done
    }
}
