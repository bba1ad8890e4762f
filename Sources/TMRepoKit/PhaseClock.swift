import Foundation

/// Prints how long each phase took, with the process's resident memory then and at its peak so
/// far, to stderr when TMREPO_TRACE is set; silent otherwise.
public struct PhaseClock {
    private let enabled = ProcessInfo.processInfo.environment["TMREPO_TRACE"] != nil
    private var last = DispatchTime.now()

    public init() {}

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
