import AsyncHTTPClient
import Foundation
import MemoryCore
import NIOCore
import NIOHTTP1
import ProcessTestSupport
import Testing

/// Starts the real `memoryhub serve` binary on a free port and drives it over HTTP.
@Suite struct ServeBinaryTests {
    static let binary = ProcessTestSupport.binary

    @Test(.enabled(if: binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func servesTheAPIMetricsAndStopsOnSIGTERM() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-e2e-\(UUID().uuidString)")
        try await exercise(["serve", "--port", "0", "--database", folder.path + "/db.sqlite"], cacheBackend: "memory")
        if let postgres = LiveAPI.postgresURL, let redis = LiveAPI.redisURL {
            try await exercise(["serve", "--port", "0", "--database", postgres, "--redis", redis], cacheBackend: "redis")
        }
    }

    @Test(.enabled(if: binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func aNonLoopbackAddressNeedsAPIKeysOrAnExplicitInsecureFlag() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-auth-\(UUID().uuidString)")
        let database = ["--database", folder.path + "/db.sqlite", "--no-embeddings", "--port", "0"]
        let refused = try ServeProcess(binary: Self.binary!, arguments: ["serve", "--host", "0.0.0.0"] + database)
        let status = try await refused.waitForExit(timeout: .seconds(60))
        #expect(status != nil && status != 0, "serve on 0.0.0.0 without auth started: \(refused.log)")
        #expect(refused.log.contains("--auth required"), "\(refused.log)")

        let insecure = try ServeProcess(binary: Self.binary!, arguments: ["serve", "--host", "0.0.0.0", "--insecure-no-auth"] + database)
        defer { insecure.stop() }
        _ = try await insecure.waitForAddress()
        #expect(insecure.log.contains("without API keys"), "\(insecure.log)")
        #expect(try await insecure.terminate() == 0)

        let keyed = try ServeProcess(binary: Self.binary!, arguments: ["serve", "--host", "0.0.0.0", "--auth", "required"] + database)
        defer { keyed.stop() }
        let base = try await keyed.waitForAddress()
        let anonymous = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/api/memory/memories/recent"), timeout: .seconds(30))
        #expect(anonymous.status.code == 401)
        #expect(try await keyed.terminate() == 0)
    }

    @Test(.enabled(if: binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func theRequestLogNamesTheKeyIDAndUserButNeverTheKey() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-log-\(UUID().uuidString)")
        let adminKey = "log-test-admin-key-" + UUID().uuidString
        let server = try ServeProcess(
            binary: Self.binary!,
            arguments: ["serve", "--port", "0", "--database", folder.path + "/db.sqlite", "--no-embeddings", "--auth", "required", "--log-level", "debug"],
            environment: ["MEMORYHUB_ADMIN_KEY": adminKey])
        defer { server.stop() }
        let base = try await server.waitForAddress()
        var create = HTTPClientRequest(url: base + "/api/memory/admin/keys")
        create.method = .POST
        create.headers.add(name: "Authorization", value: "Bearer \(adminKey)")
        create.headers.add(name: "Content-Type", value: "application/json")
        create.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(["user_id": "logged-user"])))
        let created = try await HTTPClient.shared.execute(create, timeout: .seconds(30))
        let key = try JSONParser.parse(Array(String(buffer: try await created.body.collect(upTo: 1 << 20)).utf8)).objectValue ?? [:]
        let text = try #require(key["key"]?.stringValue)
        let id = try #require(key["id"]?.stringValue)
        var recent = HTTPClientRequest(url: base + "/api/memory/memories/recent")
        recent.headers.add(name: "Authorization", value: "Bearer \(text)")
        #expect(try await HTTPClient.shared.execute(recent, timeout: .seconds(30)).status.code == 200)
        #expect(try await server.terminate() == 0)
        let lines = server.log.split(separator: "\n").filter { $0.contains("memoryhub.path=/api/memory/memories/recent") }
        #expect(lines.contains { $0.contains("memoryhub.key.id=\(id)") && $0.contains("memoryhub.user=logged-user") }, "\(server.log)")
        #expect(!server.log.contains(text) && !server.log.contains(adminKey), "a key reached the log")
    }

    @Test(.enabled(if: binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func anEmbedderThatNeverAnswersIsCountedInMetricsAndSearchStillAnswers() async throws {
        let silent = try SilentServer()
        defer { silent.close() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-silent-\(UUID().uuidString)")
        let server = try ServeProcess(
            binary: Self.binary!,
            arguments: ["serve", "--port", "0", "--database", folder.path + "/db.sqlite", "--embeddings-url", "http://127.0.0.1:\(silent.port)/v1", "--embeddings-model", "silent"])
        defer { server.stop() }
        let base = try await server.waitForAddress()
        var search = HTTPClientRequest(url: base + "/api/memory/memories/search")
        search.method = .POST
        search.headers.add(name: "Content-Type", value: "application/json")
        search.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(["user_id": "ivy", "query": "anything"])))
        let answered = try await HTTPClient.shared.execute(search, timeout: .seconds(30))
        let text = String(buffer: try await answered.body.collect(upTo: 1 << 20))
        #expect(answered.status.code == 200 && text.contains("notice"), "\(text)")
        let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(30))
        let exposition = String(buffer: try await metrics.body.collect(upTo: 1 << 22))
        #expect(exposition.contains("memoryhub_embedder_failures_total"), "no embedder failure counter in /metrics")
        #expect(exposition.contains("memoryhub_search_lexical_fallbacks_total"))
    }

    private func exercise(_ arguments: [String], cacheBackend: String) async throws {
        let server = try ServeProcess(binary: Self.binary!, arguments: arguments)
        defer { server.stop() }
        let base = try await server.waitForAddress()
        let client = HTTPClient.shared

        func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> (status: UInt, json: JSONValue?, text: String) {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 22))
            return (response.status.code, try? JSONParser.parse(text), text)
        }

        #expect(try await call(.GET, "/health").status == 200)
        // A user of this run only: the PostgreSQL database outlives runs, and an identical memory
        // of an earlier run would be returned instead of a new one.
        let user = "e2e-" + UUID().uuidString.prefix(8).lowercased()
        let started = try await call(.POST, "/api/memory/session/start", ["user_id": .string(user), "project_id": "demo"])
        #expect(started.status == 201)
        let id = try #require(started.json?.objectValue?["id"]?.stringValue)
        let memory = try await call(.POST, "/api/memory/memories", ["session_id": .string(id), "content": "e2e works", "memory_type": "fact"])
        #expect(memory.status == 201)
        for _ in 0..<3 {
            let fetched = try await call(.GET, "/api/memory/session/\(id)")
            #expect(fetched.status == 200 && fetched.json?.objectValue?["memory_count"] == 1)
        }
        // The background embedding service gives the memory its vector; then meaning finds it.
        let memoryID = try #require(memory.json?.objectValue?["id"]?.stringValue)
        let ready = try await call(.GET, "/ready")
        if LiveAPI.model != nil {
            #expect(ready.json?.objectValue?["embedder"]?.objectValue?["status"] == "ok", "\(ready.text)")
            var embedded = false
            for _ in 0..<600 where !embedded {
                embedded = try await call(.GET, "/api/memory/memories/\(memoryID)").json?.objectValue?["has_embedding"] == true
                if !embedded { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(embedded, "the embedding service did not embed the memory: \(server.log)")
            let semantic = try await call(.POST, "/api/memory/memories/search", [
                "user_id": .string(user), "query": "the end-to-end check succeeded", "mode": "semantic",
            ])
            let found = semantic.json?.objectValue?["results"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(found?.contains(memoryID) == true, "\(semantic.text)")
        } else {
            #expect(ready.json?.objectValue?["embedder"]?.objectValue?["status"] == "not_configured")
        }
        let context = try await call(.POST, "/api/memory/context/retrieve", ["user_id": .string(user), "query": "e2e"])
        #expect(context.json?.objectValue?["formatted_context"]?.stringValue?.contains("e2e works") == true, "\(context.text)")
        let ended = try await call(.POST, "/api/memory/session/\(id)/end", ["reason": "normal"])
        #expect(ended.json?.objectValue?["state"] == "ended")
        expectStatus(try await call(.GET, "/api/memory/session/\(UUID().uuidString)").status, 404)
        expectStatus(try await call(.POST, "/api/memory/session/start", nil).status, 422)

        let metrics = try await call(.GET, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains(#"memoryhub_cache_hits_total{cache="session",backend="\#(cacheBackend)"}"#))
        #expect(metrics.text.contains("hb_requests"))
        #expect(metrics.text.contains("/api/memory/session/{id}"))
        #expect(metrics.text.contains(#"memoryhub_cache_misses_total{cache="search",backend="in-process"}"#), "search cache metrics")
        if LiveAPI.model != nil { #expect(metrics.text.contains("memoryhub_embedding_queue_depth")) }
        let stats = try await call(.GET, "/api/memory/admin/cache/stats")
        let hits = stats.json?.objectValue?["caches"]?.objectValue?["session"]?.objectValue?["hits"]?.numberValue ?? 0
        #expect(hits >= 2)

        #expect(try await server.terminate() == 0)
        // A fresh database: no background service may touch the store before it is migrated.
        let errors = server.log.split(separator: "\n").filter { $0.contains(#/^\S+ (error|critical) /#) }
        #expect(errors.isEmpty, "errors logged by \(arguments): \(errors)")
    }

    private func expectStatus(_ status: UInt, _ expected: UInt, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == expected, sourceLocation: sourceLocation)
    }
}
