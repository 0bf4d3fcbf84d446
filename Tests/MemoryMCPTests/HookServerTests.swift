import Foundation
import Logging
import MemoryCore
import MemoryHooks
import MemoryService
import MemoryStore
import ProcessTestSupport
import Testing

/// Hooks that ask a running `memoryhub serve` (issue 15): the real binary as Claude Code runs it,
/// a real server process, real HTTP. Through a server and without one, a hook answers the same.
@Suite(.enabled(if: MCPTestEnvironment.binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
struct HookServerTests {
    typealias Fixture = HookBinaryTests.Fixture

    /// A server on `database`, searching by words (no model), as the hooks do by default.
    static func serve(_ database: String, _ arguments: [String] = [], environment: [String: String] = [:]) async throws -> ServeProcess {
        let server = try ServeProcess(
            binary: MCPTestEnvironment.binary!, database: database, extraArguments: arguments,
            environment: ["MEMORYHUB_MODEL_DIR": "/nonexistent"].merging(environment) { $1 })
        _ = try await server.waitForAddress()
        return server
    }

    static func run(_ fixture: Fixture, _ event: String, _ input: JSONObject, database: String? = nil, arguments: [String] = [], environment: [String: String] = [:]) async throws -> ChildProcess.Result {
        try await ChildProcess.run(
            MCPTestEnvironment.binary!,
            ["hook", event, "--database", database ?? fixture.database, "--log-file", fixture.logFile] + arguments,
            stdin: JSONWriter.string(.object(input)), environment: ["HOME": fixture.folder.path].merging(environment) { $1 },
            timeout: .seconds(120))
    }

    /// Memory and session ids differ between databases; minutes of age tick while a test runs.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: #"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, with: "ID", options: .regularExpression)
            .replacingOccurrences(of: #"[0-9]+ (min|h) ago"#, with: "N ago", options: .regularExpression)
    }

    @Test func sessionStartAndPromptsPrintTheSameThroughAServerAsWithoutOne() async throws {
        try await HookBinaryTests.withFixture { fixture in
            _ = try await HookBinaryTests.seed(fixture)
            let start = fixture.hookJSON("SessionStart", ["source": "startup"])
            let prompt = fixture.hookJSON("UserPromptSubmit", ["prompt": "How do we deploy on Fridays?"])
            let args = ["--user", "dev"]
            let localStart = try await Self.run(fixture, "session-start", start, arguments: args)
            let localPrompt = try await Self.run(fixture, "user-prompt-submit", prompt, arguments: args)
            #expect(localStart.stdout.contains("blue-green releases") && localPrompt.stdout.contains("blue-green releases"), "\(localStart.stdout)\n\(localPrompt.stdout)\nlog: \(fixture.log)")

            let server = try await Self.serve(fixture.database)
            defer { server.stop() }
            let runtimeFile = fixture.database + ".serve.json"
            let file = try #require(ServeRuntimeFile.read(atPath: runtimeFile), "no runtime file next to the database")
            #expect(file.url == server.base && file.pid == server.process.processIdentifier && file.auth == "local")

            // Found through the runtime file.
            let servedStart = try await Self.run(fixture, "session-start", start, arguments: args)
            let servedPrompt = try await Self.run(fixture, "user-prompt-submit", prompt, arguments: args)
            #expect(servedStart.status == 0 && servedPrompt.status == 0)
            #expect(servedStart.stdout == localStart.stdout || Self.normalized(servedStart.stdout) == Self.normalized(localStart.stdout),
                    "through serve:\n\(servedStart.stdout)\nwithout:\n\(localStart.stdout)\nlog: \(fixture.log)")
            #expect(Self.normalized(servedPrompt.stdout) == Self.normalized(localPrompt.stdout),
                    "through serve:\n\(servedPrompt.stdout)\nwithout:\n\(localPrompt.stdout)")

            // Named by URL, with a database this process cannot have answered from: an empty one.
            let elsewhere = fixture.folder.path + "/elsewhere/db.sqlite"
            let byURL = try await Self.run(fixture, "user-prompt-submit", prompt, database: elsewhere, arguments: args + ["--server-url", server.base + "/mcp"])
            #expect(Self.normalized(byURL.stdout) == Self.normalized(localPrompt.stdout), "\(byURL.stdout)\nlog: \(fixture.log)")
            // --no-server opens that empty database instead.
            let unserved = try await Self.run(fixture, "user-prompt-submit", prompt, database: elsewhere, arguments: args + ["--no-server"])
            #expect(unserved.status == 0 && unserved.stdout.isEmpty, "\(unserved.stdout)")
            #expect(fixture.log.isEmpty, "\(fixture.log)")

            server.stop()
            #expect(!FileManager.default.fileExists(atPath: runtimeFile), "a clean shutdown leaves no runtime file")
        }
    }

    @Test func aStopThroughAServerStoresTheSameMemoriesAsWithoutOne() async throws {
        try await HookBinaryTests.withFixture { fixture in
            let stop = fixture.hookJSON("Stop", ["stop_hook_active": false])
            let local = try await Self.run(fixture, "stop", stop, arguments: ["--user", "dev"])
            #expect(local.status == 0 && local.stdout.isEmpty)

            let served = fixture.folder.path + "/served.sqlite"
            let server = try await Self.serve(served)
            defer { server.stop() }
            let result = try await Self.run(fixture, "stop", stop, database: served, arguments: ["--user", "dev"])
            #expect(result.status == 0 && result.stdout.isEmpty)
            // Once more: the cursor the server kept says every turn was read.
            _ = try await Self.run(fixture, "stop", stop, database: served, arguments: ["--user", "dev"])
            server.stop()

            func captured(_ database: String) async throws -> [String] {
                let services = try await MemoryHubServices.embedded(path: database, logger: Logger(label: "test"))
                let memories = try await services.store.memories(matching: MemoryFilter(userID: "dev"), limit: 100, offset: 0).items
                return memories.map { memory in
                    let metadata = ["transcript_entry", "span", "capture_rule", "role", "captured_by", "transcript_path", "claude_session_id"]
                        .map { "\($0)=\(memory.metadata[$0].map(JSONWriter.string) ?? "-")" }.joined(separator: " ")
                    return "\(memory.memoryType.rawValue) \(memory.importance) \(memory.projectID ?? "-") \(memory.entities) \(memory.tags) \(metadata): \(memory.content)"
                }.sorted()
            }
            let withoutServer = try await captured(fixture.database)
            let throughServer = try await captured(served)
            #expect(withoutServer.count == 3, "\(withoutServer)\nlog: \(fixture.log)")
            #expect(throughServer == withoutServer, "through serve:\n\(throughServer.joined(separator: "\n"))\nwithout:\n\(withoutServer.joined(separator: "\n"))\nlog: \(fixture.log)")
        }
    }

    @Test func aStaleOrBrokenRuntimeFileFallsBackToTheDatabase() async throws {
        try await HookBinaryTests.withFixture { fixture in
            _ = try await HookBinaryTests.seed(fixture)
            let prompt = fixture.hookJSON("UserPromptSubmit", ["prompt": "How do we deploy on Fridays?"])
            let expected = try await Self.run(fixture, "user-prompt-submit", prompt, arguments: ["--user", "dev"])
            #expect(expected.stdout.contains("blue-green releases"))
            let runtimeFile = fixture.database + ".serve.json"

            // A server that died: its process is gone.
            let gone = try SpawnedProcess(executable: "/bin/true", arguments: [], environment: [:])
            gone.waitUntilExit()
            try ServeRuntimeFile(url: "http://127.0.0.1:9", port: 9, pid: gone.processIdentifier, auth: "local").save(toPath: runtimeFile)
            let dead = try await Self.run(fixture, "user-prompt-submit", prompt, arguments: ["--user", "dev"])
            #expect(dead.status == 0 && dead.stdout == expected.stdout, "\(dead.stdout)\nlog: \(fixture.log)")

            // A live process that is no server: the connection is refused.
            try ServeRuntimeFile(url: "http://127.0.0.1:9", port: 9, pid: getpid(), auth: "local").save(toPath: runtimeFile)
            let refused = try await Self.run(fixture, "user-prompt-submit", prompt, arguments: ["--user", "dev"])
            #expect(refused.status == 0 && refused.stdout == expected.stdout, "\(refused.stdout)\nlog: \(fixture.log)")

            // Not a runtime file at all.
            try Data("{\"url\": 42".utf8).write(to: URL(fileURLWithPath: runtimeFile))
            let garbled = try await Self.run(fixture, "user-prompt-submit", prompt, arguments: ["--user", "dev"])
            #expect(garbled.status == 0 && garbled.stdout == expected.stdout)
            #expect(fixture.log.isEmpty, "falling back from a stale file is not a failure: \(fixture.log)")

            // A configured server that is not there is worth a line in the log.
            let configured = try await Self.run(fixture, "user-prompt-submit", prompt, arguments: ["--user", "dev", "--server-url", "http://127.0.0.1:9"])
            #expect(configured.status == 0 && configured.stdout == expected.stdout)
            #expect(fixture.log.contains("cannot reach the server at http://127.0.0.1:9") && fixture.log.contains("using the database"), "\(fixture.log)")
        }
    }

    @Test func aKeyProtectedServerRefusesAHookActingForAnotherUser() async throws {
        try await HookBinaryTests.withFixture { fixture in
            let key = try await fixture.withServices { services in try await services.keys.create(userID: "alice", name: "laptop", admin: false).text }
            let server = try await Self.serve(fixture.database, ["--auth", "required"])
            defer { server.stop() }
            #expect(ServeRuntimeFile.read(atPath: fixture.database + ".serve.json")?.auth == "required")
            let start = fixture.hookJSON("SessionStart", ["source": "startup"])

            let asBob = try await Self.run(fixture, "session-start", start, arguments: ["--user", "bob"], environment: ["MEMORYHUB_API_KEY": key])
            #expect(asBob.status == 0 && asBob.stdout.isEmpty, "\(asBob.stdout)")
            #expect(fixture.log.contains("refused the hook (HTTP 403)"), "\(fixture.log)")
            let keyless = try await Self.run(fixture, "session-start", start, arguments: ["--user", "alice"])
            #expect(keyless.status == 0 && keyless.stdout.isEmpty)
            #expect(fixture.log.contains("refused the hook (HTTP 401)"), "\(fixture.log)")

            // The key's own user, named or not.
            let asAlice = try await Self.run(fixture, "session-start", start, environment: ["MEMORYHUB_API_KEY": key])
            #expect(asAlice.stdout.contains("MemoryHub memory for user alice"), "\(asAlice.stdout)\nlog: \(fixture.log)")
            server.stop()
            let (bob, alice) = try await fixture.withServices { services in
                (try await services.store.session(clientSessionID: TranscriptFixture.claudeSession, userID: "bob"),
                 try await services.store.session(clientSessionID: TranscriptFixture.claudeSession, userID: "alice"))
            }
            #expect(bob == nil && alice != nil)
        }
    }

    @Test func aLockedDatabaseNeverHoldsThePromptUp() async throws {
        try await HookBinaryTests.withFixture { fixture in
            _ = try await HookBinaryTests.seed(fixture)
            // Another process holds the write lock (an exclusive transaction) for longer than any hook waits.
            // It writes "locked" to a file once it holds the lock, and lets go when the release
            // file is gone.
            let signals = try ProcessTestSupport.temporaryFolder("holder")
            let locked = signals.appendingPathComponent("locked"), release = signals.appendingPathComponent("release")
            try Data().write(to: release)
            let holder = try SpawnedProcess(
                executable: "/usr/bin/python3",
                arguments: [
                    "-c",
                    "import os, sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nopen(sys.argv[2], 'w').write('locked')\nwhile os.path.exists(sys.argv[3]): time.sleep(0.02)\n",
                    fixture.database, locked.path, release.path,
                ],
                environment: SpawnedProcess.environment())
            defer {
                try? FileManager.default.removeItem(at: release)
                holder.waitUntilExit()
                try? FileManager.default.removeItem(at: signals)
            }
            var holding = false
            for _ in 0..<500 where !holding {
                holding = (try? String(contentsOf: locked, encoding: .utf8)) == "locked"
                if !holding { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(holding, "the holder never took the lock")

            // A hook whose budget (5 s) is shorter than SQLite's default lock wait (10 s) still
            // reports the lock itself: it stopped waiting for it on its own.
            let start = try await Self.run(fixture, "session-start", fixture.hookJSON("SessionStart", ["source": "startup"]), arguments: ["--user", "dev", "--timeout", "5"])
            #expect(start.status == 0 && start.stdout.isEmpty, "\(start.stdout)")
            #expect(fixture.log.contains("hook session-start") && fixture.log.contains("database is locked"), "\(fixture.log)")
            // A reader may get through (WAL), or fail the same way: either way quietly, and said in the log.
            let prompt = try await Self.run(fixture, "user-prompt-submit", fixture.hookJSON("UserPromptSubmit", ["prompt": "How do we deploy on Fridays?"]), arguments: ["--user", "dev", "--timeout", "5"])
            #expect(prompt.status == 0)
            if prompt.stdout.isEmpty {
                #expect(fixture.log.contains("hook user-prompt-submit") && fixture.log.components(separatedBy: "database is locked").count == 3, "\(fixture.log)")
            } else {
                #expect(prompt.stdout.hasPrefix("<memoryhub-context>") && prompt.stdout.contains("blue-green releases"), "\(prompt.stdout)")
            }
            #expect(!fixture.log.contains("gave up"), "\(fixture.log)")
        }
    }

    /// The plugin's options reach the hooks: `server_url` and `api_key` as the binary reads them.
    @Test func thePluginHandsItsServerURLAndKeyToTheHooks() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("plugin-server")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = folder.appendingPathComponent("memoryhub")
        try Data("""
            #!/bin/sh
            cat >/dev/null
            printf 'url: %s\\nkey: %s\\n' "${MEMORYHUB_SERVER_URL-<unset>}" "${MEMORYHUB_API_KEY-<unset>}"

            """.utf8).write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let script = ProcessTestSupport.root.appendingPathComponent("plugin/scripts/memoryhub-hook").path
        func run(url: String, key: String) async throws -> String {
            try await ChildProcess.run(script, ["user-prompt-submit"], stdin: "{}", environment: [
                "PATH": "/usr/bin:/bin", "HOME": folder.path, "MEMORYHUB_BINARY": fake.path,
                "CLAUDE_PLUGIN_OPTION_SERVER_URL": url, "CLAUDE_PLUGIN_OPTION_API_KEY": key,
            ]).stdout
        }
        #expect(try await run(url: "http://127.0.0.1:8080/mcp", key: "mh_secret") == "url: http://127.0.0.1:8080/mcp\nkey: mh_secret\n")
        #expect(try await run(url: "", key: "") == "url: <unset>\nkey: <unset>\n")
    }
}
