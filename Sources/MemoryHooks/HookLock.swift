import MemoryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive `flock` on a file, held while a hook reads a transcript and stores its turns,
/// so two hooks of the same conversation (Stop and PreCompact firing together, say) never both
/// decide a turn is new. The kernel releases it if the process dies.
final class HookLock {
    private var descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Waits up to `timeout` for the lock named `name` in `folder`.
    static func acquire(folder: String, name: String, timeout: Duration) async throws -> HookLock {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + StableHash.hex(name) + ".lock"
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw MemoryHubError.internal("cannot open the lock file \(path): errno \(errno)")
        }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                close(descriptor)
                throw MemoryHubError.unavailable("another hook held the transcript lock \(path) too long")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return HookLock(descriptor: descriptor)
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
