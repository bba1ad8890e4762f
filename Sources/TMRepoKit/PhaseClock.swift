import Foundation

/// Prints how long each phase took to stderr when TMREPO_TRACE is set; silent otherwise.
public struct PhaseClock {
    private let enabled = ProcessInfo.processInfo.environment["TMREPO_TRACE"] != nil
    private var last = DispatchTime.now()

    public init() {}

    public mutating func lap(_ label: @autoclosure () -> String) {
        guard enabled else { return }
        let now = DispatchTime.now()
        let milliseconds = Double(now.uptimeNanoseconds - last.uptimeNanoseconds) / 1e6
        FileHandle.standardError.write(Data("tmrepo: \(String(format: "%8.1f", milliseconds)) ms  \(label())\n".utf8))
        last = now
    }
}
