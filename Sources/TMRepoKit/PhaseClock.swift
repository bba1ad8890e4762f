import Foundation

/// Prints how long each phase took, with the process's resident memory then and at its peak so
/// far, to stderr when TMREPO_TRACE is set; silent otherwise.
public struct PhaseClock {
    private let enabled = ProcessInfo.processInfo.environment["TMREPO_TRACE"] != nil
    private var last = DispatchTime.now()

    public init() {
        if enabled { _ = Self.noteStart }
    }

    /// Printed by the first clock only (a command and the engine each keep one).
    private static let noteStart: Void = {
        guard let started = sinceProcessStart() else { return }
        FileHandle.standardError.write(Data("tmrepo: \(String(format: "%8.1f", started)) ms  since the process started\n".utf8))
    }()

    /// Milliseconds since this process started (Linux, 10 ms resolution: clock ticks); nil elsewhere.
    static func sinceProcessStart() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let afterName = stat.lastIndex(of: ")") else { return nil }
        // Field 22 (starttime, in clock ticks since boot) is the 20th after the command name.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]), let now = uptime.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
        return (now - ticks / Double(sysconf(Int32(_SC_CLK_TCK)))) * 1000
    }

    public mutating func lap(_ label: @autoclosure () -> String) {
        guard enabled else { return }
        let now = DispatchTime.now()
        let milliseconds = Double(now.uptimeNanoseconds - last.uptimeNanoseconds) / 1e6
        FileHandle.standardError.write(Data("tmrepo: \(String(format: "%8.1f", milliseconds)) ms  \(Self.memory())  \(label())\n".utf8))
        last = now
    }

    /// "rss/peak MiB" from /proc/self/status (Linux); empty elsewhere.
    static func memory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "" }
        func mebibytes(_ key: String) -> String {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }),
                  let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Int($0) }) else { return "?" }
            return String(kib / 1024)
        }
        return "[\(mebibytes("VmRSS"))/\(mebibytes("VmHWM")) MiB]"
    }
}
