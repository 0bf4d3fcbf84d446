import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MemoryCore
import MemoryHTTP
import MemoryService
import Testing

/// A PostgreSQL cluster of the test's own (initdb in a temporary folder), which it can stop and
/// start again without disturbing the suites that share the main test cluster.
final class PrivatePostgres: @unchecked Sendable {
    static let bin = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_PG_BIN"]
    let folder: String
    let port: Int

    init() throws {
        folder = try Self.shell("mktemp -d /tmp/memoryhub-pg.XXXXXX").trimmingCharacters(in: .whitespacesAndNewlines)
        port = Int(try Self.shell(#"python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'"#)
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        _ = try Self.shell("chmod 755 \(folder); if [ \"$(id -u)\" -eq 0 ]; then chown postgres:postgres \(folder); fi")
        _ = try asPostgres("\(Self.bin!)/initdb -D \(folder)/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8")
        try start()
        _ = try asPostgres("\(Self.bin!)/createdb -h 127.0.0.1 -p \(port) -U postgres memoryhub")
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/memoryhub" }

    func start() throws {
        _ = try asPostgres("\(Self.bin!)/pg_ctl -D \(folder)/data -l \(folder)/server.log -w -t 60 -o '-p \(port) -k \(folder) -c listen_addresses=127.0.0.1' start")
    }

    func stop() throws {
        _ = try asPostgres("\(Self.bin!)/pg_ctl -D \(folder)/data -m fast -w stop")
    }

    func destroy() {
        _ = try? asPostgres("\(Self.bin!)/pg_ctl -D \(folder)/data -m immediate stop")
        _ = try? Self.shell("rm -rf \(folder)")
    }

    private func asPostgres(_ command: String) throws -> String {
        try Self.shell("if [ \"$(id -u)\" -eq 0 ]; then runuser -u postgres -- \(command); else \(command); fi")
    }

    /// Runs a shell command with posix_spawn and waitpid, returning its output (through a file).
    /// Foundation's Process is not used here: `pg_ctl start` leaves a server running that inherits
    /// Process's descriptors, and Process then never sees the command end.
    @discardableResult
    static func shell(_ command: String) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-shell-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let arguments = ["/bin/sh", "-c", "(\(command)) > '\(log.path)' 2>&1 < /dev/null"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0 else {
            throw ShellError(command: command, output: "posix_spawn failed")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ShellError(command: command, output: text) }
        return text
    }

    struct ShellError: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "`\(command)` failed: \(output)" }
    }
}

@Suite(.enabled(if: PrivatePostgres.bin != nil, "MEMORYHUB_TEST_PG_BIN is not set (make test sets it)"))
struct PostgresRestartTests {
    @Test func requestsGet503WhilePostgresIsDownAndNoAcknowledgedWriteIsLost() async throws {
        let postgres = try PrivatePostgres()
        defer { postgres.destroy() }
        var deployment = Deployment(databaseURL: postgres.url)
        deployment.postgresPoolSize = 4
        let services = try MemoryHubServices.open(deployment, logger: Logger(label: "restart"))
        try await services.withBackgroundServices { services in
            let router = MemoryHTTPServer.router(services: services, configuration: .init(port: 0), metrics: nil)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                let api = APIClient(client: client, deployment: "private postgres")
                let session = try await api.startSession("restart")
                var acknowledged: [String] = []
                for index in 0..<5 { acknowledged.append(try await api.createMemory(session, "before \(index)")) }

                try postgres.stop()
                for path in ["/api/memory/memories/session/\(session)", "/api/memory/session/user/restart"] {
                    expectError(try await api.get(path), .serviceUnavailable, code: "store_unavailable")
                }
                expectError(try await api.post("/api/memory/session/start", ["user_id": "restart"]), .serviceUnavailable)
                #expect(try await api.get("/ready").status == .serviceUnavailable)

                try postgres.start()
                var written: APIResponse?
                for _ in 0..<100 {
                    let attempt = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "after", "memory_type": "fact"])
                    if attempt.status == .created {
                        written = attempt
                        break
                    }
                    #expect(attempt.status == .serviceUnavailable, "\(attempt.text)")
                    try await Task.sleep(for: .milliseconds(100))
                }
                let after = try #require(written, "requests succeed again once PostgreSQL is back")
                acknowledged.append(after.id)
                let listed = try await api.get("/api/memory/memories/session/\(session)?limit=200")
                #expect(Set(listed.array.compactMap { $0.objectValue?["id"]?.stringValue }) == Set(acknowledged))
                #expect(try await api.get("/api/memory/session/\(session)")["memory_count"] == .int(Int64(acknowledged.count)))
                #expect(try await api.get("/ready").status == .ok)
            }
        }
    }
}
