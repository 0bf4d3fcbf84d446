import Foundation
import ProcessTestSupport
import HTTPTypes
import Logging
import MemoryCore
import MemoryHTTP
import MemoryService
import MemoryStore
import Testing

/// Export and import (README "Export and import"): lossless round trips across both stores,
/// idempotence, bad lines, conflict policies, and the caller's scope over HTTP.
@Suite struct TransferTests {
    static let logger = Logger(label: "transfer-test")

    /// Services on a fresh embedded database.
    static func sqlite() async throws -> MemoryHubServices {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-transfer-\(UUID().uuidString)")
        return try await MemoryHubServices.embedded(path: folder.path + "/memoryhub.sqlite", logger: logger)
    }

    /// Runs `body` with services on a fresh PostgreSQL database (when `make test` provides one),
    /// else on another embedded database.
    static func withSecondStore<T: Sendable>(_ body: (MemoryHubServices) async throws -> T) async throws -> T {
        guard let url = LiveAPI.postgresURL else { return try await body(try await sqlite()) }
        var deployment = Deployment(databaseURL: try LiveAPI.freshDatabase(url))
        deployment.postgresPoolSize = 4
        return try await MemoryHubServices.open(deployment, logger: logger).withBackgroundServices(body)
    }

    /// Runs blocking work (a child process and its pipes) on a dispatch thread, so it never holds
    /// one of Swift concurrency's cooperative threads (two on this machine) while it waits.
    static func offTheExecutor<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-export-\(UUID().uuidString).jsonl").path
    }

    /// Exports into a file; returns its path.
    static func export(_ services: MemoryHubServices, _ filter: TransferFilter = .init(), embeddings: Bool = true) async throws -> String {
        let path = temporaryFile()
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try await services.transfer.export(filter, embeddings: embeddings) { try handle.write(contentsOf: $0) }
        try handle.close()
        return path
    }

    /// Every session and memory (with its vector) of the store, by id.
    static func everything(_ services: MemoryHubServices) async throws -> ([Session], [ExportedMemory]) {
        let sessions = try await services.store.exportSessions(.init(), after: nil, limit: 10_000)
        let memories = try await services.store.exportMemories(.init(), after: nil, limit: 10_000, embeddings: true)
        return (sessions, memories)
    }

    /// A store with every field of sessions and memories set to something a loss would show:
    /// microseconds, a parent link, a client session id, an ended session, nested metadata, tag
    /// order, related and superseded memories, access counts, vectors.
    static func seed(_ services: MemoryHubServices, user: String) async throws -> (sessions: [Session], memories: [Memory]) {
        let store = services.store
        let start = Timestamp(microsecondsSinceEpoch: 1_764_000_000_123_457)
        let first = Session(
            id: .v7(at: start), userID: user, projectID: "shop", clientSessionID: "claude-\(user)", state: .ended, startedAt: start,
            endedAt: start.adding(seconds: 3600.000_001), endReason: "normal", summary: "Moved the build to GRDB.",
            metadata: ["source": "test", "nested": ["list": [1, 2.5, nil, "x"], "flag": false], "text": "ünï ✓"],
            tags: ["zeta", "alpha", "mid"], createdAt: start, updatedAt: start.adding(seconds: 3600.5), version: 7)
        let second = Session(
            id: .v7(at: start.adding(seconds: 7200)), userID: user, projectID: "shop", parentSessionID: first.id,
            startedAt: start.adding(seconds: 7200), metadata: ["parent_context": ["summary": "carried over"]], tags: [])
        let loose = Session(id: .v7(at: start.adding(seconds: 9000)), userID: user, projectID: nil, startedAt: start.adding(seconds: 9000))
        for session in [first, second, loose] { try await store.insertSession(session) }
        let old = Memory(
            id: .v7(at: start.adding(seconds: 10)), sessionID: first.id, userID: user, projectID: "shop",
            content: "The API listens on port 8080", summary: "port", memoryType: .fact, importance: 0.7, confidence: 0.65,
            entities: ["API", "8080"], tags: ["config", "net"], metadata: ["line": 42, "ratio": 0.25], createdAt: start.adding(seconds: 10))
        let new = Memory(
            id: .v7(at: start.adding(seconds: 7300)), sessionID: second.id, userID: user, projectID: "shop",
            content: "The API now listens on port 9090", memoryType: .fact, importance: 0.8, relatedMemories: [old.id],
            createdAt: start.adding(seconds: 7300))
        let code = Memory(
            id: .v7(at: start.adding(seconds: 20)), sessionID: first.id, userID: user, projectID: "shop",
            content: "func main() {\n    print(\"<b>hi</b>\")\n}", memoryType: .code, importance: 0.333_333_333_333_333_3,
            metadata: ["language": "swift", "deep": ["a": ["b": ["c": true]]]], createdAt: start.adding(seconds: 20))
        let note = Memory(
            id: .v7(at: start.adding(seconds: 9100)), sessionID: loose.id, userID: user, projectID: nil,
            content: "Prefer tabs over spaces", memoryType: .preference, createdAt: start.adding(seconds: 9100))
        for memory in [old, code, new, note] {
            _ = try await store.insertMemory(memory, contentHash: ContentFingerprint.hash(memory.content), at: memory.createdAt)
        }
        var supersede = MemoryChange()
        supersede.supersededBy = .some(new.id)
        supersede.metadataPatch = ["superseded_reason": "port changed"]
        _ = try await store.updateMemory(id: old.id, userID: user, change: supersede, at: start.adding(seconds: 7301))
        _ = try await store.recordAccess(memoryID: code.id, userID: user, at: start.adding(seconds: 86_400.25))
        if try await store.embeddingModel() == nil { _ = try await store.setEmbeddingModel("test-model/4", clearingVectors: false) }
        let stored = try await store.memories(ids: [old.id, code.id, new.id], userID: user)
        _ = try await store.storeEmbeddings(stored.map { ComputedEmbedding(id: $0.id, version: $0.version, vector: [0.1, -0.25, 1e-7, Float($0.content.count)]) })
        let sessions = try await store.exportSessions(.init(userID: user), after: nil, limit: 100)
        let memories = try await store.exportMemories(.init(userID: user), after: nil, limit: 100, embeddings: false).map(\.memory)
        return (sessions, memories)
    }

    @Test func roundTripSQLiteToPostgresAndBackKeepsEveryField() async throws {
        let source = try await Self.sqlite()
        let user = "alice-\(UUID().uuidString.prefix(6))"
        _ = try await Self.seed(source, user: user)
        let original = try await Self.everything(source)
        #expect(original.0.count == 3 && original.1.count == 4)
        #expect(original.1.filter { $0.embedding != nil }.count == 3)
        let first = try await Self.export(source)

        let (middle, second) = try await Self.withSecondStore { target in
            let report = try await target.transfer.importFile(atPath: first, options: .init())
            #expect(report.errorCount == 0, "\(report.errors.map { "\($0.line): \($0.error)" })")
            #expect(report.complete && !report.aborted)
            #expect(report.sessions.inserted == 3 && report.memories.inserted == 4 && report.vectorsImported == 3)
            #expect(report.countsReconciled == 0, "a consistent file needs no count repaired")
            let copied = try await Self.everything(target)
            // Importing the same file again changes nothing, not even the change sequence.
            let sequence = try await target.store.changeSequence(userID: user)
            let again = try await target.transfer.importFile(atPath: first, options: .init(onConflict: .replace))
            #expect(again.sessions.unchanged == 3 && again.memories.unchanged == 4 && again.errorCount == 0)
            #expect(try await target.store.changeSequence(userID: user) == sequence)
            let unchanged = try await Self.everything(target)
            #expect(unchanged.0 == copied.0)
            #expect(unchanged.1.map(\.memory) == copied.1.map(\.memory))
            // Search finds the imported memories (the lexical index was written with them).
            let hits = try await target.search.search(SearchRequest(userID: user, query: "port 9090"))
            #expect(hits.results.first?.memory.content == "The API now listens on port 9090")
            return (copied, try await Self.export(target))
        }
        #expect(middle.0 == original.0)
        #expect(middle.1.map(\.memory) == original.1.map(\.memory))
        #expect(middle.1.map(\.embedding) == original.1.map(\.embedding))

        let back = try await Self.sqlite()
        let report = try await back.transfer.importFile(atPath: second, options: .init())
        #expect(report.errorCount == 0 && report.memories.inserted == 4)
        let final = try await Self.everything(back)
        #expect(final.0 == original.0)
        #expect(final.1.map(\.memory) == original.1.map(\.memory))
        #expect(final.1.map(\.embedding) == original.1.map(\.embedding))
        // The files agree line for line but for the header's export time.
        let lines = { (path: String) throws -> [String] in
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
        }
        #expect(try lines(first) == lines(second))
    }

    @Test func badLinesAreReportedByNumberAndAbortOrSkip() async throws {
        let source = try await Self.sqlite()
        let user = "bob-\(UUID().uuidString.prefix(6))"
        _ = try await Self.seed(source, user: user)
        let exported = try String(contentsOfFile: try await Self.export(source, embeddings: false), encoding: .utf8)
        var lines = exported.split(separator: "\n").map(String.init)
        // Lines: 1 header, 2-4 sessions, 5-8 memories, 9 end. Break three of them.
        lines[2] = "{\"type\":\"session\",\"id\":\"not-a-uuid\""  // line 3: not JSON
        lines[5] = lines[5].replacingOccurrences(of: "\"importance\":0.333", with: "\"importance\":7.333")  // line 6: out of range
        lines.insert("{\"type\":\"comet\"}", at: 8)  // line 9: unknown type
        let path = Self.temporaryFile()
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let target = try await Self.sqlite()
        let aborted = try await target.transfer.importFile(atPath: path, options: .init(onError: .abort))
        #expect(aborted.aborted)
        #expect(aborted.errors.map(\.line).prefix(3) == [3, 6, 9], "\(aborted.errors.map { "\($0.line): \($0.error.detail)" })")
        #expect(aborted.errors.first { $0.line == 6 }?.error.field == "importance")
        // The end line now counts more than the file holds: reported too.
        #expect(aborted.errors.contains { $0.line == 10 && $0.error.field == "end" })
        let nothing = try await Self.everything(target)
        #expect(nothing.0.isEmpty && nothing.1.isEmpty, "an aborted import writes nothing")

        let skipped = try await target.transfer.importFile(atPath: path, options: .init(onError: .skip))
        #expect(!skipped.aborted)
        // The broken session's memories were refused with it (their session is nowhere), the rest went in.
        let written = try await Self.everything(target)
        #expect(written.0.count == 2)
        #expect(skipped.sessions.inserted == 2)
        #expect(written.1.count == skipped.memories.inserted)
        #expect(written.1.allSatisfy { memory in written.0.contains { $0.id == memory.memory.sessionID } })
        for session in written.0 {
            #expect(session.memoryCount == written.1.filter { $0.memory.sessionID == session.id }.count, "counts match what was imported")
        }
    }

    @Test func importRedactsSecretsLikeAnyWrite() async throws {
        let source = try await Self.sqlite()
        let user = "dan-\(UUID().uuidString.prefix(6))"
        _ = try await Self.seed(source, user: user)
        let secret = "sk-abcdefghijklmnopqrstuvwxyz123456"
        let text = try String(contentsOfFile: try await Self.export(source, embeddings: false), encoding: .utf8)
            .replacingOccurrences(of: "Prefer tabs over spaces", with: "The staging token is \(secret)")
        let path = Self.temporaryFile()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let target = try await Self.sqlite()
        let report = try await target.transfer.importFile(atPath: path, options: .init())
        #expect(report.errorCount == 0 && report.memories.inserted == 4)
        let contents = try await Self.everything(target).1.map(\.memory.content)
        #expect(!contents.contains { $0.contains(secret) })
        #expect(contents.contains { $0.hasPrefix("The staging token is [REDACTED") }, "\(contents)")
    }

    @Test func conflictPoliciesDecideWhichVersionWins() async throws {
        let source = try await Self.sqlite()
        let user = "carol-\(UUID().uuidString.prefix(6))"
        let seeded = try await Self.seed(source, user: user)
        let path = try await Self.export(source, embeddings: false)
        let target = try await Self.sqlite()
        _ = try await target.transfer.importFile(atPath: path, options: .init())
        // The target edits a memory (version moves past the file's), then the file is imported again.
        let edited = try #require(seeded.memories.first { $0.memoryType == .preference })
        _ = try await target.memories.update(id: edited.id, actingUser: user, change: MemoryChange(content: "Prefer spaces over tabs"))
        let skip = try await target.transfer.importFile(atPath: path, options: .init(onConflict: .skip))
        #expect(skip.memories.updated == 0)
        let newer = try await target.transfer.importFile(atPath: path, options: .init(onConflict: .newer))
        #expect(newer.memories.updated == 0, "the store's edit is newer than the file's record")
        #expect(try await target.store.memory(id: edited.id, userID: user)?.content == "Prefer spaces over tabs")
        let replaced = try await target.transfer.importFile(atPath: path, options: .init(onConflict: .replace))
        #expect(replaced.memories.updated == 1 && replaced.memories.unchanged == 3)
        let now = try #require(try await target.store.memory(id: edited.id, userID: user))
        #expect(now.content == "Prefer tabs over spaces")
        #expect(now.version > edited.version + 1, "a replaced record moves past the stored version, so caches see it")
        #expect(!now.hasEmbedding, "changed text is embedded again")
    }

    @Test func exportFiltersByUserProjectAndSince() async throws {
        let source = try await Self.sqlite()
        let alice = "alice-\(UUID().uuidString.prefix(6))"
        let bob = "bob-\(UUID().uuidString.prefix(6))"
        let seeded = try await Self.seed(source, user: alice)
        _ = try await Self.seed(source, user: bob)
        let all = try String(contentsOfFile: try await Self.export(source), encoding: .utf8)
        #expect(all.contains(alice) && all.contains(bob))
        let onlyAlice = try String(contentsOfFile: try await Self.export(source, .init(userID: alice)), encoding: .utf8)
        #expect(onlyAlice.contains(alice) && !onlyAlice.contains(bob))
        let shop = try await Self.export(source, .init(userID: alice, projectID: "shop"))
        let target = try await Self.sqlite()
        let report = try await target.transfer.importFile(atPath: shop, options: .init())
        #expect(report.sessions.inserted == 2 && report.memories.inserted == 3)
        // Since a time: only what changed since, with the sessions those memories need.
        let cut = try #require(seeded.memories.first { $0.memoryType == .preference }?.createdAt)
        let recent = try String(contentsOfFile: try await Self.export(source, .init(userID: alice, since: cut)), encoding: .utf8)
        let records = try recent.split(separator: "\n").map { try TransferRecord.parse(Array($0.utf8)) }
        let memories = records.compactMap { record -> Memory? in if case .memory(let memory, _) = record { memory } else { nil } }
        #expect(memories.map(\.content).contains("Prefer tabs over spaces"))
        #expect(memories.allSatisfy { $0.updatedAt >= cut })
        // The superseded port memory last changed (7,301 s in) before the cut (9,100 s): not in the file.
        #expect(!memories.map(\.content).contains("The API listens on port 8080"))
    }

    @Test func userKeysExportAndImportOnlyTheirOwnData() async throws {
        try await LiveAPI.run(auth: .required, adminKey: AuthTests.adminKey) { api, services in
            let alice = "alice-\(UUID().uuidString.prefix(6))"
            let bob = "bob-\(UUID().uuidString.prefix(6))"
            _ = try await Self.seed(services, user: alice)
            _ = try await Self.seed(services, user: bob)
            let aliceKey = try await AuthTests.key(for: alice, api).key

            // Alice's key exports Alice's data only; naming Bob is refused.
            let exported = try await api.get("/api/memory/admin/export", key: aliceKey)
            #expect(exported.status == .ok)
            #expect(exported.headers[.contentType]?.hasPrefix("application/x-ndjson") == true)
            #expect(exported.text.contains(alice) && !exported.text.contains(bob))
            #expect(try await api.get("/api/memory/admin/export?user_id=\(bob)", key: aliceKey).status == .forbidden)
            #expect(try await api.get("/api/memory/admin/export").status == .unauthorized)

            // The admin's export of Bob, imported with Alice's key: refused, nothing written.
            let bobFile = try await api.get("/api/memory/admin/export?user_id=\(bob)&embeddings=true", key: AuthTests.adminKey)
            #expect(bobFile.text.contains(bob) && !bobFile.text.contains(alice))
            let before = try await services.store.changeSequence(userID: bob)
            let refused = try await api.send(.post, "/api/memory/admin/import?on_error=skip", raw: bobFile.text, key: aliceKey)
            expectError(refused, .forbidden)
            #expect(try await services.store.changeSequence(userID: bob) == before)

            // Alice's own file imports under her key (nothing new: it is all there).
            let own = try await api.send(.post, "/api/memory/admin/import", raw: exported.text, key: aliceKey)
            #expect(own.status == .ok, "\(own.text)")
            #expect(own["memories"]?.objectValue?["unchanged"] == .int(4))
            // A file that is not an export is a 422 naming the file.
            expectError(try await api.send(.post, "/api/memory/admin/import", raw: "{\"hello\":1}\n", key: aliceKey), .unprocessableContent, field: "file")
            // Bad lines abort with 422 and the report.
            let cut = exported.text.replacingOccurrences(of: "\"content\":\"Prefer tabs", with: "\"content\":7,\"x\":\"")
            let bad = try await api.send(.post, "/api/memory/admin/import", raw: cut, key: aliceKey)
            #expect(bad.status == .unprocessableContent, "\(bad.text)")
            #expect(bad["aborted"] == .bool(true))
            #expect(bad["errors"]?.arrayValue?.first?.objectValue?["field"] == .string("content"))
        }
    }

    /// The memory an export needs does not grow with the memories it writes: 100,000 memories
    /// with vectors (a file of about 270 MB) export in under 128 MiB of peak resident memory, in
    /// the debug build `make test` runs (BENCHMARKS.md has the release numbers).
    @Test(.enabled(if: LiveAPI.postgresURL != nil && ServeBinaryTests.binary != nil, "needs the test PostgreSQL and the memoryhub binary (make test)"))
    func exportOf100kMemoriesStaysUnderItsMemoryCeiling() async throws {
        let url = try LiveAPI.freshDatabase(try #require(LiveAPI.postgresURL))
        try await MemoryHubServices.open(Deployment(databaseURL: url), logger: Self.logger).withBackgroundServices { _ in }
        // Rows written by SQL (fast), with the store's own schema and triggers.
        let psql = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_PG_BIN"].map { $0 + "/psql" } ?? "/usr/bin/psql"
        let arguments = [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", """
            INSERT INTO sessions (id, user_id, project_id, state, started_at, memory_count, created_at, updated_at, version)
                VALUES ('00000000-0000-4000-8000-000000000001', 'bulk', 'shop', 'active', now(), 100000, now(), now(), 1);
            INSERT INTO memories (id, session_id, user_id, project_id, content, memory_type, importance, confidence,
                    has_embedding, embedding, created_at, updated_at, version)
                SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'bulk', 'shop',
                    'Memory number ' || n || ': the deploy pipeline caches its build artefacts between runs', 'fact', 0.5, 0.8,
                    true, decode(repeat('3dcccccd', 384), 'hex'), now(), now(), 1
                FROM generate_series(1, 100000) AS n;
            """]
        let inserted = try await Self.offTheExecutor { try SpawnedProcess.run(psql, arguments).status }
        #expect(inserted == 0)

        let output = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: output) }
        // A parent of its own measures the export's peak resident memory (ru_maxrss of wait4).
        let measured = [
            "-c",
            "import os,subprocess,sys; p=subprocess.Popen(sys.argv[1:]); _,s,u=os.wait4(p.pid,0); print(os.waitstatus_to_exitcode(s), u.ru_maxrss)",
            try #require(ServeBinaryTests.binary), "export", "--embeddings", "--database", url, "-o", output,
        ]
        // The export runs for a minute in a debug build: wait for it on a thread of its own, never
        // on one of the (two) threads every other test's async work needs.
        let printed = try await Self.offTheExecutor {
            try SpawnedProcess.run("/usr/bin/python3", measured, environment: ["MEMORYHUB_LOG_LEVEL": "warning"]).stdout
        }
        let fields = printed.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(fields.first == 0, "export failed: \(printed)")
        let peakMiB = Double(fields.last ?? .max) / 1024
        #expect(peakMiB < 128, "peak resident memory \(peakMiB) MiB")
        // Every memory is in the file, with its vector.
        // Reading 270 MB back is seconds of work in a debug build: on a dispatch thread too.
        let (memories, lines, dimension) = try await Self.offTheExecutor { () throws -> (Int, Int, Int?) in
            var reader = try NDJSONReader(path: output)
            defer { reader.close() }
            let marker = Array("\"type\":\"memory\"".utf8)
            var memories = 0
            var lines = 0
            var dimension: Int?
            while let line = try reader.next() {
                lines += 1
                guard case .text(_, let bytes) = line, bytes.count > marker.count else { continue }
                // Parsing 100,000 lines in a debug build takes longer than the export: parse one, count the rest.
                if memories == 0, case .memory(_, let vector) = try TransferRecord.parse(bytes) {
                    dimension = vector?.count
                    memories += 1
                } else if memories > 0, bytes.firstRange(of: marker) != nil {
                    memories += 1
                }
            }
            return (memories, lines, dimension)
        }
        #expect(dimension == 384)
        #expect(memories == 100_000 && lines == 100_003)
        print("export of 100,000 memories: peak RSS \(Int(peakMiB)) MiB")
    }
}
