import MemoryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where a hook writes why it failed, since it must stay quiet on stdout and exit 0. One line per
/// failure; the file is rotated to `.1` past `maximumBytes`. Writing it never throws.
package struct HookFailureLog: Sendable {
    package let path: String
    package var maximumBytes: Int = 1 << 20

    package init(path: String) {
        self.path = path
    }

    package func append(event: String, sessionID: String?, message: String) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumBytes {
            _ = rename(path, path + ".1")
        }
        let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        let line = "\(Timestamp.now().iso8601) hook \(event) session \(sessionID ?? "-"): \(flat)\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
