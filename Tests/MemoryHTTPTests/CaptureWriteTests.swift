import AsyncHTTPClient
import Foundation
import HTTPTypes
import MemoryCore
import MemoryService
import MemoryStore
import NIOCore
import NIOHTTP1
import ProcessTestSupport
import Testing

/// Issue 12 on the write paths of the REST API, on both deployments: secrets are redacted before
/// anything is stored, indexed or cached, and an identical write returns the existing memory.
@Suite struct CaptureWriteTests {
    /// Fresh random secrets for one run, so finding one anywhere proves it leaked from this test.
    struct Secrets {
        let github = "ghp_" + Self.random(36)
        let password = "Pw" + Self.random(14) + "7"
        let jwtSignature = Self.random(43)
        let awsKeyID = "AKIA" + String(Self.random(16).uppercased().map { $0.isLetter || $0.isNumber ? $0 : "Q" })
        let metadataToken = Self.random(24) + "9x"

        var jwt: String { "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9." + jwtSignature }
        var all: [String] { [github, password, jwtSignature, awsKeyID, metadataToken] }

        static func random(_ count: Int) -> String {
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            return String((0..<count).map { _ in alphabet.randomElement()! })
        }
    }

    @Test func secretsNeverReachTheStoreTheIndexOrTheCache() async throws {
        try await LiveAPI.run { api, services in
            let secrets = Secrets()
            let session = try await api.startSession("rita", [
                "project_id": "vault", "metadata": ["note": .string("deploy with \(secrets.github)")], "tags": .array([.string(secrets.awsKeyID)]),
            ])
            let created = try await api.post("/api/memory/memories", [
                "session_id": .string(session), "memory_type": "fact",
                "content": .string("The CI token is \(secrets.github) and <private>my home is 12 Elm St</private>deploys use it."),
                "summary": .string("DATABASE_URL=postgres://app:\(secrets.password)@db:5432/app"),
                "entities": .array([.string(secrets.awsKeyID), "GitHub"]),
                "metadata": ["api_key": .string(secrets.metadataToken), "nested": ["header": .string("Authorization: Bearer \(secrets.jwt)")]],
            ])
            #expect(created.status == .created, "\(api.deployment): \(created.text)")
            #expect(created["content"]?.stringValue == "The CI token is [REDACTED:github_token] and deploys use it.", "\(created.text)")
            #expect(created["summary"]?.stringValue == "DATABASE_URL=postgres://app:[REDACTED:password_in_url]@db:5432/app")
            #expect(created["entities"] == ["[REDACTED:aws_access_key_id]", "GitHub"])
            #expect(created["metadata"] == ["api_key": "[REDACTED:secret_assignment]", "nested": ["header": "Authorization: Bearer [REDACTED:jwt]"]])

            let batch = try await api.post("/api/memory/memories/batch", [
                "session_id": .string(session),
                "memories": [["content": .string("export GITHUB_TOKEN=\(secrets.github)"), "memory_type": "code"]],
            ])
            #expect(batch["created"] == 1, "\(batch.text)")
            let patched = try await api.patch("/api/memory/memories/\(created.id)", ["content": .string("rotated: password: \(secrets.password)")])
            #expect(patched["content"]?.stringValue == "rotated: password: [REDACTED:secret_assignment]", "\(patched.text)")

            // Nothing to find by the secret's own words; the memories are found by theirs.
            for fragment in [secrets.github, String(secrets.github.dropFirst(4)), secrets.password, secrets.awsKeyID, "Elm"] {
                let found = try await api.post("/api/memory/memories/search", ["user_id": "rita", "query": .string(fragment), "mode": "lexical"])
                #expect(found["total"] == 0, "\(api.deployment): '\(fragment)' found \(found.text)")
            }
            let found = try await api.post("/api/memory/memories/search", ["user_id": "rita", "query": "redacted github token", "mode": "lexical"])
            #expect((found["total"]?.numberValue ?? 0) >= 1, "\(found.text)")

            // The session's end summary is computed from the memories, and cached (Redis on the production deployment).
            let ended = try await api.post("/api/memory/session/\(session)/end", ["reason": "normal", "final_summary": .string("password: \(secrets.password)")])
            #expect(ended.status == .ok, "\(ended.text)")
            _ = try await api.get("/api/memory/session/\(session)")

            let leaked = try Self.leakedSecrets(secrets.all, services: services, deployment: api.deployment)
            #expect(leaked.isEmpty, "\(api.deployment): found \(leaked)")
        }
    }

    /// Every byte the deployment wrote: the SQLite file and its WAL, or PostgreSQL's data
    /// directory (heap, indexes and WAL), and every value in Redis.
    static func leakedSecrets(_ secrets: [String], services: MemoryHubServices, deployment: String) throws -> [String] {
        var places: [String] = []
        if let sqlite = services.store as? SQLiteMemoryStore {
            places.append(URL(fileURLWithPath: sqlite.path).deletingLastPathComponent().path)
        } else if let folder = ProcessInfo.processInfo.environment["MEMORYHUB_SERVICES_DIR"] {
            places.append(folder + "/pg")
        }
        var leaked: [String] = []
        for secret in secrets {
            for place in places where try grep(secret, in: place) { leaked.append("\(secret) in \(place)") }
        }
        if deployment.contains("redis"), let redis = LiveAPI.redisURL {
            let values = try shell("for k in $(redis-cli -u \"$0\" --scan); do redis-cli -u \"$0\" GET \"$k\"; done", redis)
            #expect(!values.isEmpty, "the Redis cache holds nothing to check")
            leaked += secrets.filter { values.contains($0) }.map { "\($0) in Redis" }
        }
        return leaked
    }

    static func grep(_ needle: String, in folder: String) throws -> Bool {
        // grep -r exits 0 on a match, 1 on none; -a reads binary files as text.
        try SpawnedProcess.run("/bin/grep", ["-r", "-a", "-q", "-F", needle, folder]).status == 0
    }

    static func shell(_ script: String, _ argument: String) throws -> String {
        try SpawnedProcess.run("/bin/sh", ["-c", script, argument]).stdout
    }

    @Test func anIdenticalWriteReturnsTheExistingMemoryOnEveryPath() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("omar", ["project_id": "shop"])
            let first = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "We deploy with make run", "memory_type": "fact"])
            #expect(first.status == .created && first["deduplicated"] == false, "\(first.text)")
            let again = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "  we DEPLOY with\nmake run ", "memory_type": "decision"])
            #expect(again.status == .ok, "\(api.deployment): \(again.text)")
            #expect(again.id == first.id && again["deduplicated"] == true && again["access_count"] == 1)
            #expect(again["content"]?.stringValue == "We deploy with make run")

            // A later session of the same project finds it too; another project does not.
            let later = try await api.startSession("omar", ["project_id": "shop"])
            let batch = try await api.post("/api/memory/memories/batch", [
                "session_id": .string(later),
                "memories": [["content": "We deploy with make run", "memory_type": "fact"], ["content": "Releases are tagged", "memory_type": "fact"]],
            ])
            #expect(batch["created"] == 1 && batch["deduplicated"] == 1, "\(batch.text)")
            #expect(batch["memories"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == first.id)
            // Within one batch, the first of two identical items is new and the second is not.
            let pair = try await api.post("/api/memory/memories/batch", [
                "session_id": .string(later),
                "memories": [["content": "Etcd runs five nodes", "memory_type": "fact"], ["content": "etcd  RUNS five nodes", "memory_type": "fact"]],
            ])
            #expect(pair["memories"]?.arrayValue?.map { $0.objectValue?["deduplicated"] } == [false, true], "\(pair.text)")
            let other = try await api.startSession("omar", ["project_id": "blog"])
            let elsewhere = try await api.post("/api/memory/memories", ["session_id": .string(other), "content": "We deploy with make run", "memory_type": "fact"])
            #expect(elsewhere.status == .created && elsewhere.id != first.id)
            let stranger = try await api.startSession("pia", ["project_id": "shop"])
            let theirs = try await api.post("/api/memory/memories", ["session_id": .string(stranger), "content": "We deploy with make run", "memory_type": "fact"])
            #expect(theirs.status == .created && theirs.id != first.id)

            let listed = try await api.get("/api/memory/session/\(session)")
            #expect(listed["memory_count"] == 1, "\(listed.text)")
        }
    }

    /// Stating a superseded fact again makes it current again; deleting the memory that
    /// superseded another restores that one; PATCH refuses a loop.
    @Test func supersessionFollowsWhatIsSaidLast() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("sam", ["project_id": "api"])
            let a = try await api.createMemory(session, "The API port is 8443")
            let b = try await api.createMemory(session, "The API port is 9443")
            #expect(try await api.get("/api/memory/memories/\(a)")["superseded_by"]?.stringValue == b, "\(api.deployment)")
            let again = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "The API port is 8443", "memory_type": "fact"])
            #expect(again.id == a && again["superseded_by"] == .null && again["deduplicated"] == true, "\(again.text)")
            #expect(again["supersedes"]?.stringValue == b, "the restatement names what it supersedes: \(again.text)")
            #expect(try await api.get("/api/memory/memories/\(b)")["superseded_by"]?.stringValue == a)

            expectError(try await api.patch("/api/memory/memories/\(a)", ["superseded_by": .string(b)]), .unprocessableContent, field: "superseded_by")
            #expect(try await api.delete("/api/memory/memories/\(a)").status == .noContent)
            #expect(try await api.get("/api/memory/memories/\(b)")["superseded_by"] == .null, "\(api.deployment)")
        }
    }

    /// A restatement that adds nothing returns the existing memory; a similar one that adds
    /// something is stored and linked to it.
    @Test func nearDuplicatesAreReturnedOrLinked() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("rosa", ["project_id": "shop"])
            let first = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "We deploy with make run.", "memory_type": "fact"])
            let again = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "we deploy with: make run!", "memory_type": "fact"])
            #expect(again.status == .ok && again.id == first.id && again["deduplicated"] == true, "\(api.deployment): \(again.text)")
            let more = try await api.post("/api/memory/memories", [
                "session_id": .string(session), "content": "We deploy with make run on Fridays", "memory_type": "fact",
            ])
            #expect(more.status == .created && more["related_memories"] == .array([.string(first.id)]), "\(more.text)")
            // The same text again is the identical memory, even after longer variants of it.
            _ = try await api.post("/api/memory/memories", [
                "session_id": .string(session), "content": "We deploy with make run, tested on staging", "memory_type": "fact",
            ])
            let exact = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "We deploy with make run.", "memory_type": "fact"])
            #expect(exact.id == first.id && exact["deduplicated"] == true, "\(exact.text)")
            let elsewhere = try await api.startSession("rosa", ["project_id": "blog"])
            let other = try await api.post("/api/memory/memories", ["session_id": .string(elsewhere), "content": "we deploy with: make run!", "memory_type": "fact"])
            #expect(other.status == .created && other["related_memories"] == [], "\(other.text)")
        }
    }

    /// Eight identical writes at once through the API: one memory, every caller gets its id.
    @Test func concurrentIdenticalPostsStoreOneMemory() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("quinn", ["project_id": "race"])
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "The cache TTL is one hour", "memory_type": "fact"]).id
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1 && !(ids.first ?? "").isEmpty, "\(api.deployment): \(ids)")
            let listed = try await api.get("/api/memory/memories/session/\(session)")
            #expect(listed.array.count == 1 && listed.totalCount == 1, "\(listed.text)")
            #expect(try await api.get("/api/memory/session/\(session)")["memory_count"] == 1)
        }
    }

    /// The real binary at trace level: a secret written through the API reaches neither the log
    /// nor a response, and `/metrics` counts it by kind.
    @Test(.enabled(if: ServeBinaryTests.binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func theLogNeverHoldsASecretAndMetricsCountThemByKind() async throws {
        let secrets = Secrets()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-redaction-\(UUID().uuidString)")
        let server = try ServeProcess(
            binary: ServeBinaryTests.binary!,
            arguments: ["serve", "--port", "0", "--database", folder.path + "/db.sqlite", "--no-embeddings", "--log-level", "trace"])
        defer { server.stop() }
        let base = try await server.waitForAddress()
        func post(_ path: String, _ body: JSONValue) async throws -> String {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            return String(buffer: try await response.body.collect(upTo: 1 << 20))
        }
        let started = try JSONParser.parse(Array(try await post("/api/memory/session/start", ["user_id": "sam"]).utf8))
        let session = try #require(started.objectValue?["id"]?.stringValue)
        let stored = try await post("/api/memory/memories", [
            "session_id": .string(session), "memory_type": "fact",
            "content": .string("token \(secrets.github) and key \(secrets.awsKeyID) and again \(String(secrets.github.reversed()))"),
        ])
        // A refused write (bad type) must not log the secret either.
        let refused = try await post("/api/memory/memories", ["session_id": .string(session), "memory_type": "nonsense", "content": .string(secrets.github)])
        #expect(!stored.contains(secrets.github) && !refused.contains(secrets.github), "\(stored)\n\(refused)")
        let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(30))
        let exposition = String(buffer: try await metrics.body.collect(upTo: 1 << 22))
        #expect(exposition.contains(#"memoryhub_secrets_redacted_total{kind="github_token"} 1"#), "\(exposition)")
        #expect(exposition.contains(#"memoryhub_secrets_redacted_total{kind="aws_access_key_id"} 1"#))
        #expect(try await server.terminate() == 0)
        #expect(server.log.contains("/api/memory/memories"), "the trace log shows no request at all")
        #expect(!server.log.contains(secrets.github) && !server.log.contains(secrets.awsKeyID), "a secret reached the log")
    }

    /// Supersession on both stores: the newer fact ranks first for a question about it, the older
    /// is labelled and explained, and an update reverses it.
    @Test func aNewerFactSupersedesTheOlderOneAndRanksFirst() async throws {
        try await LiveAPI.run { api, _ in
            let monday = try await api.startSession("tess", ["project_id": "shop"])
            let old = try await api.createMemory(monday, "We deploy with make run")
            let tuesday = try await api.startSession("tess", ["project_id": "shop"])
            let created = try await api.post("/api/memory/memories", [
                "session_id": .string(tuesday), "content": "We now deploy with the release script", "memory_type": "fact",
            ])
            #expect(created.status == .created && created["supersedes"]?.stringValue == old, "\(api.deployment): \(created.text)")
            let outdated = try await api.get("/api/memory/memories/\(old)")
            #expect(outdated["superseded_by"]?.stringValue == created.id, "\(outdated.text)")
            #expect(outdated["metadata"]?.objectValue?["superseded_reason"]?.stringValue?.contains("deploy with") == true)

            let found = try await api.post("/api/memory/memories/search", ["user_id": "tess", "query": "deploy", "mode": "lexical", "explain": true])
            let results = found["results"]?.arrayValue ?? []
            #expect(results.compactMap { $0.objectValue?["id"]?.stringValue } == [created.id, old], "\(found.text)")
            let breakdown = results.last?.objectValue?["score_breakdown"]?.objectValue
            #expect(breakdown?["supersession"] == 0.8 && breakdown?["supersession_reason"]?.stringValue != nil, "\(found.text)")
            #expect(results.first?.objectValue?["score_breakdown"]?.objectValue?["supersession"] == 1.0)

            let context = try await api.post("/api/memory/context/retrieve", [
                "user_id": "tess", "query": "deploy", "context_types": ["similar"], "min_relevance": 0,
            ])
            let formatted = context["formatted_context"]?.stringValue ?? ""
            #expect(formatted.contains("- [fact, superseded] We deploy with make run"), "\(formatted)")
            #expect(formatted.range(of: "release script")?.lowerBound ?? formatted.endIndex
                < formatted.range(of: "make run")?.lowerBound ?? formatted.startIndex, "\(formatted)")

            // Reversible: an update clears it (and refuses an unknown id or itself).
            expectError(try await api.patch("/api/memory/memories/\(old)", ["superseded_by": .string(old)]), .unprocessableContent, field: "superseded_by")
            expectError(
                try await api.patch("/api/memory/memories/\(old)", ["superseded_by": .string(UUID().uuidString)]), .unprocessableContent,
                field: "superseded_by")
            let restored = try await api.patch("/api/memory/memories/\(old)", ["superseded_by": .null])
            #expect(restored.status == .ok && restored["superseded_by"] == .null, "\(restored.text)")
            #expect(restored["metadata"]?.objectValue?["superseded_reason"] == nil, "the reason goes with the supersession")
            let again = try await api.post("/api/memory/memories/search", ["user_id": "tess", "query": "deploy", "mode": "lexical", "explain": true])
            #expect(again["results"]?.arrayValue?.allSatisfy { $0.objectValue?["score_breakdown"]?.objectValue?["supersession"] == 1.0 } == true)
        }
    }
}
