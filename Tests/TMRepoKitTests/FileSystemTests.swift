import Foundation
import Testing
import TestSupport
@testable import TMRepoKit

/// The caches are read with `FileSystem.contents`: something other than a regular file in their
/// place (a FIFO that would block the open, a device that never ends) is no cache, and the run goes
/// on without it instead of waiting forever.
struct FileSystemTests {
    /// `contents(path)` on another thread, or nil after five seconds (the thread is left behind).
    func contentsWithin5Seconds(_ path: String) -> (finished: Bool, bytes: [UInt8]?) {
        final class Box: @unchecked Sendable { var bytes: [UInt8]? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.bytes = FileSystem.contents(path)
            done.signal()
        }
        guard done.wait(timeout: .now() + 5) == .success else { return (false, nil) }
        return (true, box.bytes)
    }

    @Test func onlyARegularFileHasContents() throws {
        let dir = try TempDir("contents")
        try dir.write("file", "bytes")
        let fifo = dir.url("fifo")
        try #require(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.url("device"), withDestinationPath: "/dev/zero")
        try FileManager.default.createDirectory(atPath: dir.url("folder"), withIntermediateDirectories: true)

        #expect(contentsWithin5Seconds(dir.url("file")).bytes == Array("bytes".utf8))
        for name in ["fifo", "device", "folder", "missing"] {
            let read = contentsWithin5Seconds(dir.url(name))
            #expect(read.finished, "\(name): the read did not return")
            #expect(read.bytes == nil, "\(name): not a regular file")
        }
    }
}
