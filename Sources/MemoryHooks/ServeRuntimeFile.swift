package import MemoryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// How a hook finds a `memoryhub serve` running on its SQLite database: the server leaves this
/// small JSON file next to the database (`<database>.serve.json`) once its port is open, and
/// removes it when it shuts down cleanly.
///
/// ```
/// {"url": "http://127.0.0.1:8080", "port": 8080, "pid": 4242, "version": 1,
///  "auth": "local", "started_at": "2026-11-29T20:00:00.000000Z"}
/// ```
/// A file left by a server that died (its pid no longer alive) is stale and ignored; so is one
/// whose port refuses connections (the hook then falls back to the database).
package struct ServeRuntimeFile: Sendable, Equatable {
    /// The file format; a reader ignores files of other versions.
    package static let formatVersion: Int64 = 1

    /// Where the server answers, e.g. `http://127.0.0.1:8080` (no trailing slash).
    package var url: String
    package var port: Int
    /// The server's process id.
    package var pid: Int32
    /// `local` or `required`: whether a hook needs an API key.
    package var auth: String
    package var startedAt: Timestamp

    package init(url: String, port: Int, pid: Int32, auth: String, startedAt: Timestamp = .now()) {
        self.url = url
        self.port = port
        self.pid = pid
        self.auth = auth
        self.startedAt = startedAt
    }

    /// The runtime file of the SQLite database at `databasePath`.
    package static func path(forDatabase databasePath: String) -> String {
        databasePath + ".serve.json"
    }

    /// The URL a local client reaches a server listening on `host` at: a wildcard address is
    /// reached on loopback.
    package static func url(host: String, port: Int) -> String {
        switch host {
        case "0.0.0.0", "": return "http://127.0.0.1:\(port)"
        case "::", "[::]": return "http://[::1]:\(port)"
        default: return host.contains(":") && !host.hasPrefix("[") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }

    package var json: JSONValue {
        [
            "url": .string(url), "port": .int(Int64(port)), "pid": .int(Int64(pid)), "version": .int(Self.formatVersion),
            "auth": .string(auth), "started_at": .string(startedAt.iso8601),
        ]
    }

    /// Writes the file atomically (a temporary file renamed over it), readable by its owner only.
    package func save(toPath path: String) throws {
        let temporary = path + ".\(getpid()).tmp"
        let bytes = JSONWriter.bytes(json) + [0x0A]
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MemoryHubError.internal("cannot write \(temporary): errno \(errno)") }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw MemoryHubError.internal("cannot write \(path): errno \(errno)")
        }
    }

    /// The file at `path`, or nil when it is missing, unreadable or not of this format.
    package static func read(atPath path: String) -> ServeRuntimeFile? {
        guard let data = FileManager.default.contents(atPath: path), case .object(let object)? = try? JSONParser.parse(data),
            object["version"] == .int(formatVersion), let url = object["url"]?.stringValue,
            case .int(let port)? = object["port"], case .int(let pid)? = object["pid"], let processID = Int32(exactly: pid), processID > 0
        else { return nil }
        let started = object["started_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? Timestamp(microsecondsSinceEpoch: 0)
        return ServeRuntimeFile(url: url, port: Int(port), pid: processID, auth: object["auth"]?.stringValue ?? "local", startedAt: started)
    }

    /// Whether the process that wrote the file still runs (on this machine).
    package var processIsAlive: Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes the file at `path` if it is this server's (a newer server may have replaced it).
    package func remove(atPath path: String) {
        guard Self.read(atPath: path)?.pid == pid else { return }
        unlink(path)
    }
}
