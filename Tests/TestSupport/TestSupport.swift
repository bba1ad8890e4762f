import Foundation

/// The result of running a program.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program to completion, capturing its output (read concurrently so pipes never fill).
@discardableResult
public func runProcess(_ executable: String, _ arguments: [String], cwd: String, environment: [String: String] = [:],
                       stdin: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: cwd)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    process.waitUntilExit()
    group.wait()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A temporary folder removed when the value goes away.
public final class TempDir: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/tmrepo-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    public func url(_ relative: String) -> String { path + "/" + relative }

    public func write(_ relative: String, _ text: String) throws {
        try write(relative, bytes: Array(text.utf8))
    }

    public func write(_ relative: String, bytes: [UInt8]) throws {
        let full = url(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
    }

    public func read(_ relative: String) throws -> String {
        String(decoding: try bytes(relative), as: UTF8.self)
    }

    public func bytes(_ relative: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url(relative)) else {
            throw NSError(domain: "TempDir", code: 1, userInfo: [NSLocalizedDescriptionKey: "no file \(relative)"])
        }
        return [UInt8](data)
    }

    public func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: url(relative))
    }

    public func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: url(relative)) }
}

/// Drives the real git CLI to build repositories with fixed identities and commit dates.
public struct GitDriver: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `git init -b main` with a fixed identity.
    public static func initialize(_ directory: String, bare: Bool = false) throws -> GitDriver {
        let driver = GitDriver(directory: directory)
        try driver.run(["init", "-q", "-b", "main"] + (bare ? ["--bare"] : []))
        try driver.run(["config", "user.name", "Test User"])
        try driver.run(["config", "user.email", "test@example.com"])
        try driver.run(["config", "commit.gpgsign", "false"])
        return driver
    }

    /// Runs git; throws when it fails. `date` (ISO 8601) fixes author and committer dates.
    @discardableResult
    public func run(_ arguments: [String], date: String? = nil, author: (String, String)? = nil,
                    stdin: String? = nil, environment: [String: String] = [:]) throws -> String {
        var env = environment
        if let date {
            env["GIT_AUTHOR_DATE"] = date
            env["GIT_COMMITTER_DATE"] = date
        }
        if let (name, email) = author {
            env["GIT_AUTHOR_NAME"] = name
            env["GIT_AUTHOR_EMAIL"] = email
            env["GIT_COMMITTER_NAME"] = name
            env["GIT_COMMITTER_EMAIL"] = email
        }
        let result = try runProcess("/usr/bin/git", arguments, cwd: directory, environment: env, stdin: stdin)
        guard result.status == 0 else {
            throw NSError(domain: "git", code: Int(result.status),
                          userInfo: [NSLocalizedDescriptionKey: "git \(arguments.joined(separator: " ")) failed: \(result.stderr)"])
        }
        return result.stdout
    }

    /// Stages everything and commits with a fixed date; returns the new commit id.
    @discardableResult
    public func commitAll(_ message: String, date: String, author: (String, String)? = nil) throws -> String {
        try run(["add", "-A"])
        try run(["commit", "-q", "--allow-empty", "-m", message], date: date, author: author)
        return try run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Paths inside the source tree, found from this file's location.
public enum SourceTree {
    public static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    public static var fixtures: String { root + "/Tests/Fixtures" }
    /// The workspace's reference material beside the repository; a user's clone has none, so
    /// tests that read it are enabled only when it exists.
    public static var shared: String { root + "/../shared" }
    public static var example: String { root + "/examples/serverless-shop" }
}

/// The built `tmrepo` executable, next to the test bundle (or $TMREPO_BIN).
public enum TMRepoBinary {
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["TMREPO_BIN"] { return explicit }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tmrepo").path,
            SourceTree.root + "/.build/debug/tmrepo",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Runs `tmrepo` with arguments in a folder.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:], stdin: String? = nil) throws -> ProcessResult {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NSError(domain: "tmrepo", code: 1, userInfo: [NSLocalizedDescriptionKey: "tmrepo binary not found at \(path); run swift build first"])
        }
        return try runProcess(path, arguments, cwd: directory, environment: environment, stdin: stdin)
    }
}
