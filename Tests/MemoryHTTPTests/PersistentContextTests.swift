import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import MemoryCore
import MemoryHTTP
import MemoryService
import MemoryStore
import NIOCore
import NIOHTTP1
import ProcessTestSupport
import Testing

/// API-more.md "Persistent context" on every deployment, and KnowledgeHub's failure modes.
@Suite struct PersistentContextTests {
    static let base = "/api/memory/persistent/context"

    /// Stores an item for `user` and returns its id.
    static func store(
        _ api: APIClient, _ content: String, type: String = "technical_knowledge", scope: String = "user", user: String = "alice",
        _ extra: JSONObject = [:]
    ) async throws -> String {
        var body: JSONObject = ["content": .string(content), "context_type": .string(type), "scope": .string(scope), "user_id": .string(user)]
        for (key, value) in extra { body[key] = value }
        let response = try await api.post(base, .object(body))
        #expect(response.status == .ok, "\(response.text)")
        #expect(response["message"]?.stringValue?.isEmpty == false)
        return try #require(response["context_id"]?.stringValue, "\(response.text)")
    }

    static func query(_ api: APIClient, _ text: String, user: String = "alice", _ extra: JSONObject = [:]) async throws -> APIResponse {
        var body: JSONObject = ["query": .string(text), "user_id": .string(user)]
        for (key, value) in extra { body[key] = value }
        return try await api.post(base + "/query", .object(body))
    }

    static func ids(_ response: APIResponse) -> [String] {
        response.array.compactMap { $0.objectValue?["id"]?.stringValue }
    }

    @Test func storeThenQueryAnswersTheContractsShapeAndCountsAccesses() async throws {
        try await LiveAPI.run { api, _ in
            let id = try await Self.store(
                api, "The deploy pipeline runs make release on the CI runner", type: "workflows", scope: "project",
                ["project_id": "hub", "importance": 0.7, "related_entities": ["CI"], "metadata": ["source": "notes"]])
            _ = try await Self.store(api, "Tabs are preferred over spaces in Makefiles", type: "preferences")
            let first = try await Self.query(api, "how does the deploy pipeline work")
            #expect(first.status == .ok, "\(first.text)")
            #expect(Self.ids(first) == [id], "\(first.text)")
            let item = try #require(first.array.first?.objectValue)
            #expect(Set(item.keys) == ["id", "content", "context_type", "scope", "importance", "last_accessed", "access_count", "related_entities", "metadata"])
            #expect(item["context_type"] == "workflows" && item["scope"] == "project" && item["importance"] == 0.7)
            #expect(item["related_entities"] == ["CI"] && item["metadata"] == ["source": "notes"])
            #expect(item["access_count"] == 2, "a stored item starts at 1 and the query counts one: \(first.text)")
            let second = try await Self.query(api, "deploy pipeline", ["context_type": "workflows", "scope": "project", "project_id": "hub"])
            #expect(second.array.first?.objectValue?["access_count"] == 3, "\(second.text)")
            let other = try await Self.query(api, "deploy pipeline", ["project_id": "elsewhere"])
            #expect(other.array.isEmpty, "a filter by project must apply: \(other.text)")
        }
    }

    /// KnowledgeHub returned the top N whatever they had in common with the query.
    @Test func aQueryWithoutAnyWordInCommonFindsNothing() async throws {
        try await LiveAPI.run { api, _ in
            _ = try await Self.store(api, "Redis keys expire after one hour")
            let response = try await Self.query(api, "favourite colour of the office cat")
            #expect(response.status == .ok)
            #expect(response.array.isEmpty, "\(response.text)")
            let search = try await api.get(Self.base + "/search?q=redis%20expire&user_id=alice")
            #expect(search.status == .ok && search["total_results"] == 1 && search["query"] == "redis expire", "\(search.text)")
        }
    }

    @Test func searchCutsContentAndCountsAccesses() async throws {
        try await LiveAPI.run { api, _ in
            let long = "Kubernetes " + String(repeating: "rollout detail ", count: 40)
            _ = try await Self.store(api, long, type: "learnings")
            let response = try await api.get(Self.base + "/search?q=kubernetes&type=learnings&scope=user&limit=5&user_id=alice")
            #expect(response.status == .ok, "\(response.text)")
            let result = try #require(response["results"]?.arrayValue?.first?.objectValue)
            #expect(result["content"]?.stringValue == String(long.prefix(200)) + "...")
            #expect(Set(result.keys) == ["id", "content", "context_type", "scope", "importance", "access_count", "last_accessed"])
            #expect(result["access_count"] == 2)
            #expect(response["timestamp"]?.stringValue?.hasSuffix("Z") == true)
        }
    }

    @Test func callerErrorsName422FieldsAnd404s() async throws {
        try await LiveAPI.run { api, _ in
            let valid: JSONObject = ["content": "x", "context_type": "decisions", "scope": "user", "user_id": "alice"]
            func store(_ change: JSONObject) async throws -> APIResponse {
                var body = valid
                for (key, value) in change { body[key] = value }
                return try await api.post(Self.base, .object(body))
            }
            expectError(try await store(["content": nil]), .unprocessableContent, field: "content")
            expectError(try await store(["content": ""]), .unprocessableContent, field: "content")
            expectError(try await store(["content": .string(String(repeating: "a", count: 64 * 1024 + 1))]), .unprocessableContent, field: "content")
            expectError(try await store(["context_type": "gossip"]), .unprocessableContent, field: "context_type")
            expectError(try await store(["scope": "galaxy"]), .unprocessableContent, field: "scope")
            expectError(try await store(["importance": 1.5]), .unprocessableContent, field: "importance")
            expectError(try await store(["related_entities": .array(Array(repeating: "e", count: 101))]), .unprocessableContent, field: "related_entities")
            expectError(try await store(["metadata": "not an object"]), .unprocessableContent, field: "metadata")
            expectError(try await store(["scope": "session"]), .unprocessableContent, field: "session_id")
            expectError(try await store(["scope": "project"]), .unprocessableContent, field: "project_id")
            expectError(try await store(["user_id": nil]), .unprocessableContent, field: "user_id")
            let bobs = try await api.startSession("bob")
            expectError(try await store(["scope": "session", "session_id": .string(bobs)]), .notFound)
            let own = try await api.startSession("alice")
            #expect(try await store(["scope": "session", "session_id": .string(own)]).status == .ok)

            expectError(try await Self.query(api, "x", ["limit": 0]), .unprocessableContent, field: "limit")
            expectError(try await Self.query(api, "x", ["limit": 101]), .unprocessableContent, field: "limit")
            expectError(try await Self.query(api, "x", ["context_type": "gossip"]), .unprocessableContent, field: "context_type")
            expectError(try await Self.query(api, ""), .unprocessableContent, field: "query")
            expectError(try await api.get(Self.base + "/search?q=x&type=gossip&user_id=alice"), .unprocessableContent, field: "type")
            expectError(try await api.get(Self.base + "/search?q=x&scope=galaxy&user_id=alice"), .unprocessableContent, field: "scope")
            expectError(try await api.get(Self.base + "/search?q=x&limit=51&user_id=alice"), .unprocessableContent, field: "limit")
            expectError(try await api.get(Self.base + "/search?user_id=alice"), .unprocessableContent, field: "q")
            expectError(try await api.get(Self.base + "/summary?user_id=alice&session_id=nope"), .unprocessableContent, field: "session_id")
            expectError(try await api.post(Self.base + "/cleanup", ["user_id": "alice", "max_age_days": 0]), .unprocessableContent, field: "max_age_days")
            expectError(try await api.post(Self.base + "/cleanup", ["user_id": "alice", "max_age_days": 366]), .unprocessableContent, field: "max_age_days")
            expectError(try await api.get(Self.base + "/vectors/not-a-uuid"), .badRequest)
            expectError(try await api.get(Self.base + "/vectors/\(UUID().uuidString)"), .notFound)
            expectError(try await api.delete(Self.base + "/vectors/\(UUID().uuidString)"), .notFound)
        }
    }

    /// KnowledgeHub had no user scoping: anyone read or deleted anyone's context.
    @Test func anotherUserNeverSeesOrDeletesAnItem() async throws {
        try await LiveAPI.run { api, _ in
            var ids: [String] = []
            for index in 0..<3 {
                ids.append(try await Self.store(api, "Alice's secret rollout plan step \(index)", type: "decisions"))
            }
            #expect(Self.ids(try await Self.query(api, "secret rollout plan", user: "bob")).isEmpty)
            #expect(try await api.get(Self.base + "/search?q=secret&user_id=bob")["total_results"] == 0)
            #expect(try await api.get(Self.base + "/summary?user_id=bob")["total_vectors"] == 0)
            #expect(try await api.get(Self.base + "/clusters?user_id=bob")["total_clusters"] == 0)
            #expect(try await api.get(Self.base + "/analytics?user_id=bob")["total_vectors"] == 0)
            expectError(try await api.get(Self.base + "/vectors/\(ids[0])?user_id=bob"), .notFound)
            expectError(try await api.get(Self.base + "/vectors/\(ids[0])", user: "bob"), .notFound)
            expectError(try await api.delete(Self.base + "/vectors/\(ids[0])", user: "bob"), .notFound)
            let decay = try await api.post(Self.base + "/decay", ["user_id": "bob"])
            #expect(decay["decayed"] == 0)
            let still = try await api.get(Self.base + "/vectors/\(ids[0])?user_id=alice")
            #expect(still.status == .ok && still["vector"]?.objectValue?["id"]?.stringValue == ids[0], "\(still.text)")
            #expect(Self.ids(try await Self.query(api, "secret rollout plan")).count == 3)
        }
    }

    /// KnowledgeHub's decay compounded on every call.
    @Test func decayAppliedTwiceInARowDoesNotCompound() async throws {
        try await LiveAPI.run { api, services in
            let now = Timestamp.now()
            let threeWeeksAgo = now.adding(seconds: -3 * PersistentContextMath.week)
            let old = ContextItem(
                id: UUID.v7(), userID: "alice", scope: .user, contextType: .learnings, content: "An old lesson about caches",
                importance: 0.8, lastAccessed: threeWeeksAgo, createdAt: threeWeeksAgo, updatedAt: threeWeeksAgo)
            try await services.store.insertContextItem(old)
            let fresh = try await Self.store(api, "A fresh lesson", ["importance": 0.8])

            let first = try await api.post(Self.base + "/decay", ["user_id": "alice"])
            #expect(first.status == .ok && first["decayed"] == 1, "only the unused item decays: \(first.text)")
            #expect(first["timestamp"]?.stringValue?.hasSuffix("Z") == true && first["message"] != nil)
            let expected = 0.8 * pow(0.95, 3)
            let once = try #require(try await api.get(Self.base + "/vectors/\(old.id.lowercased)")["vector"]?.objectValue?["importance"]?.numberValue)
            #expect(abs(once - expected) < 1e-4, "\(once) after three weeks, expected \(expected)")

            let second = try await api.post(Self.base + "/decay", ["user_id": "alice"])
            #expect(second["decayed"] == 0, "\(second.text)")
            let twice = try #require(try await api.get(Self.base + "/vectors/\(old.id.lowercased)")["vector"]?.objectValue?["importance"]?.numberValue)
            #expect(twice == once, "decay repeated at once changed importance from \(once) to \(twice)")
            let freshImportance = try await api.get(Self.base + "/vectors/\(fresh)")["vector"]?.objectValue?["importance"]
            #expect(freshImportance == 0.8)

            // A week later (as the daily Service would see it), one more week of decay, no more.
            #expect(try await services.persistentContext.decay(userID: nil, at: now.adding(seconds: PersistentContextMath.week)) >= 1)
            let later = try #require(try await services.store.contextItem(id: old.id, userID: "alice")?.importance)
            #expect(abs(later - 0.8 * pow(0.95, 4)) < 1e-4, "\(later)")
        }
    }

    /// What `memoryhub serve` runs: decay and cleanup without any request.
    @Test func theMaintenanceServiceDecaysAndCleansUpOnItsOwn() async throws {
        try await LiveAPI.run { _, services in
            let threeWeeksAgo = Timestamp.now().adding(seconds: -3 * PersistentContextMath.week)
            let longAgo = Timestamp.now().adding(seconds: -100 * 86_400)
            let old = ContextItem(
                id: UUID.v7(), userID: "alice", scope: .user, contextType: .learnings, content: "An old lesson",
                importance: 0.8, lastAccessed: threeWeeksAgo, createdAt: threeWeeksAgo, updatedAt: threeWeeksAgo)
            let stale = ContextItem(
                id: UUID.v7(), userID: "bob", scope: .user, contextType: .patterns, content: "A forgotten pattern",
                importance: 0.1, lastAccessed: longAgo, createdAt: longAgo, updatedAt: longAgo)
            try await services.store.insertContextItem(old)
            try await services.store.insertContextItem(stale)
            var configuration = PersistentContextMaintenanceService.Configuration()
            configuration.initialDelay = .zero
            let service = PersistentContextMaintenanceService(services: services, configuration: configuration, logger: Logger(label: "test"))
            let running = Task { try await service.run() }
            defer { running.cancel() }
            var decayed: Double?
            var removed = false
            for _ in 0..<300 where decayed == nil || !removed {
                try await Task.sleep(for: .milliseconds(100))
                decayed = try await services.store.contextItem(id: old.id, userID: "alice").flatMap { $0.importance < 0.8 ? $0.importance : nil }
                removed = try await services.store.contextItem(id: stale.id, userID: "bob") == nil
            }
            #expect(abs((decayed ?? 0) - 0.8 * pow(0.95, 3)) < 1e-4, "the service never decayed the unused item")
            #expect(removed, "the service never removed the stale item")
        }
    }

    @Test func cleanupRemovesOnlyStaleUnimportantItems() async throws {
        try await LiveAPI.run { api, services in
            let longAgo = Timestamp.now().adding(seconds: -100 * 86_400)
            func insert(_ importance: Double, accesses: Int64, user: String = "alice") async throws -> UUID {
                let item = ContextItem(
                    id: UUID.v7(), userID: user, scope: .user, contextType: .patterns, content: "pattern \(importance) \(accesses)",
                    importance: importance, accessCount: accesses, lastAccessed: longAgo, createdAt: longAgo, updatedAt: longAgo)
                try await services.store.insertContextItem(item)
                return item.id
            }
            let stale = try await insert(0.1, accesses: 1)
            let important = try await insert(0.5, accesses: 1)
            let popular = try await insert(0.1, accesses: 5)
            let bobs = try await insert(0.1, accesses: 1, user: "bob")
            let response = try await api.post(Self.base + "/cleanup", ["user_id": "alice"])
            #expect(response.status == .ok && response["removed"] == 1, "\(response.text)")
            #expect(try await services.store.contextItem(id: stale, userID: nil) == nil)
            for kept in [important, popular, bobs] { #expect(try await services.store.contextItem(id: kept, userID: nil) != nil) }
            #expect(try await api.post(Self.base + "/cleanup?max_age_days=365", ["user_id": "bob"])["removed"] == 0)
        }
    }

    /// KnowledgeHub's clusters never formed, and removed items stayed in them.
    @Test func clustersFormPerTypeWithStableIDsAndForgetDeletedItems() async throws {
        try await LiveAPI.run { api, _ in
            var ids: [String] = []
            for (index, importance) in [0.2, 0.9, 0.5, 0.7].enumerated() {
                ids.append(try await Self.store(api, "Knowledge item \(index)", ["importance": .double(importance)]))
            }
            _ = try await Self.store(api, "A lone preference", type: "preferences")
            let response = try await api.get(Self.base + "/clusters?user_id=alice")
            #expect(response.status == .ok && response["total_clusters"] == 1, "\(response.text)")
            let cluster = try #require(response["clusters"]?.arrayValue?.first?.objectValue)
            #expect(cluster["name"] == "Technical Knowledge Cluster")
            #expect(cluster["description"] == "Cluster of 4 technical_knowledge contexts")
            #expect(cluster["vector_count"] == 4 && cluster["coherence_score"] == 1.0)
            let samples = cluster["sample_vectors"]?.arrayValue?.compactMap { $0.objectValue?["importance"]?.numberValue }
            #expect(samples == [0.9, 0.7, 0.5])
            let again = try await api.get(Self.base + "/clusters?user_id=alice")
            #expect(again["clusters"]?.arrayValue?.first?.objectValue?["id"] == cluster["id"], "a cluster's id must be stable")
            let bobs = try await api.get(Self.base + "/clusters?user_id=bob")
            #expect(bobs["total_clusters"] == 0)

            let deleted = try await api.delete(Self.base + "/vectors/\(ids[0])")
            #expect(deleted.status == .ok && deleted["vector_id"]?.stringValue == ids[0] && deleted["message"] != nil, "\(deleted.text)")
            expectError(try await api.get(Self.base + "/vectors/\(ids[0])"), .notFound)
            let three = try await api.get(Self.base + "/clusters?user_id=alice")
            #expect(three["clusters"]?.arrayValue?.first?.objectValue?["vector_count"] == 3)
            _ = try await api.delete(Self.base + "/vectors/\(ids[1])?user_id=alice")
            #expect(try await api.get(Self.base + "/clusters?user_id=alice")["total_clusters"] == 0)
        }
    }

    @Test func summaryAnalyticsHealthTypesAndScopes() async throws {
        try await LiveAPI.run { api, _ in
            let empty = try await api.get(Self.base + "/health?user_id=alice")
            #expect(empty.status == .ok && empty["status"] == "empty" && empty["version"] == "1.0.0", "\(empty.text)")
            let session = try await api.startSession("alice")
            for index in 0..<3 {
                _ = try await Self.store(api, "Decision number \(index) " + String(repeating: "long ", count: 40), type: "decisions", ["importance": 0.9])
            }
            _ = try await Self.store(api, "In this session we chose SQLite", type: "decisions", scope: "session", ["session_id": .string(session)])
            let summary = try await api.get(Self.base + "/summary?user_id=alice")
            #expect(summary.status == .ok && summary["total_vectors"] == 4 && summary["total_clusters"] == 1, "\(summary.text)")
            #expect(summary["context_types"] == ["decisions": 4] && summary["scopes"] == ["user": 3, "session": 1])
            let top = try #require(summary["top_importance"]?.arrayValue)
            #expect(top.count == 4 && top.first?.objectValue?["content"]?.stringValue?.hasSuffix("...") == true)
            #expect(Set(top.first?.objectValue?.keys ?? [:].keys) == ["id", "content", "importance", "type"])
            #expect(Set(summary["recent_access"]?.arrayValue?.first?.objectValue?.keys ?? [:].keys) == ["id", "content", "last_accessed", "access_count"])
            let bySession = try await api.get(Self.base + "/summary?user_id=alice&session_id=\(session)")
            #expect(bySession["total_vectors"] == 1, "the session filter must apply: \(bySession.text)")

            let analytics = try await api.get(Self.base + "/analytics?user_id=alice")
            #expect(analytics["total_vectors"] == 4 && analytics["total_clusters"] == 1, "\(analytics.text)")
            #expect(analytics["context_type_distribution"] == ["decisions": 4])
            #expect(analytics["cluster_health"]?.objectValue?["Decisions Cluster"]?.objectValue?["vector_count"] == 4)
            #expect(analytics["access_patterns"]?.objectValue?["accessed_last_24h"] == 4)
            #expect((analytics["memory_usage"]?.numberValue ?? 0) > 600)
            _ = try await Self.store(api, "Bob's note", user: "bob")
            let everyone = try await api.get(Self.base + "/analytics")
            #expect(everyone["total_vectors"] == 5, "local mode without a user is every user: \(everyone.text)")

            let health = try await api.get(Self.base + "/health?user_id=alice")
            #expect(health["status"] == "healthy" && health["persistent_context"] == "active" && health["total_clusters"] == 1, "\(health.text)")
            #expect(try await api.get(Self.base + "/health?user_id=bob")["status"] == "unclustered")

            let types = try await api.get(Self.base + "/types")
            #expect(types.json == [
                "conversation_flow", "technical_knowledge", "preferences", "decisions", "patterns", "relationships", "workflows", "learnings",
            ])
            let scopes = try await api.get(Self.base + "/scopes")
            #expect(scopes.status == .ok && scopes.json == ["session", "project", "user", "global", "domain"], "\(scopes.text)")
        }
    }

    @Test func aUserKeyActsOnlyForItselfAndAcrossUsersNeedsAnAdmin() async throws {
        let adminKey = "persistent-context-admin-key-" + UUID().uuidString
        try await LiveAPI.run(auth: .required, adminKey: adminKey) { api, _ in
            let created = try await api.post("/api/memory/admin/keys", ["user_id": "carol"], key: adminKey)
            let key = try #require(created["key"]?.stringValue, "\(created.text)")
            let stored = try await api.post(Self.base, ["content": "Carol's plan", "context_type": "decisions", "scope": "user"], key: key)
            #expect(stored.status == .ok, "a user key stores for its own user: \(stored.text)")
            expectError(
                try await api.post(Self.base, ["content": "x", "context_type": "decisions", "scope": "user", "user_id": "dave"], key: key), .forbidden)
            let own = try await api.get(Self.base + "/analytics", key: key)
            #expect(own.status == .ok && own["total_vectors"] == 1, "without user_id a user key sees its own: \(own.text)")
            expectError(try await api.get(Self.base + "/analytics?user_id=dave", key: key), .forbidden)
            _ = try await api.post(Self.base, ["content": "Dave's plan", "context_type": "decisions", "scope": "user", "user_id": "dave"], key: adminKey)
            #expect(try await api.get(Self.base + "/analytics", key: adminKey)["total_vectors"] == 2)
            #expect(try await api.post(Self.base + "/decay", key: adminKey).status == .ok)
        }
    }

    /// Query by meaning: a paraphrase that shares no word with the item finds it (with the model).
    @Test(.enabled(if: LiveAPI.model != nil, "needs the MiniLM model (make test installs it)"))
    func aParaphraseFindsItsItemByMeaningAndConnectionsFollowSimilarity() async throws {
        try await LiveAPI.run(embedder: LiveAPI.model) { api, services in
            let deploy = try await Self.store(api, "We ship new releases to production every Friday afternoon", type: "workflows")
            let deploy2 = try await Self.store(api, "Production releases go out on Fridays after lunch", type: "workflows")
            _ = try await Self.store(api, "The user prefers dark mode in the editor", type: "preferences")
            _ = try await Self.store(api, "Bananas are rich in potassium", type: "learnings")
            try await services.embeddingService?.drain()
            let response = try await Self.query(api, "when do we deploy", ["limit": 2])
            #expect(response.status == .ok, "\(response.text)")
            #expect(Set(Self.ids(response)) == [deploy, deploy2], "\(response.text)")
            let detail = try await api.get(Self.base + "/vectors/\(deploy)")
            let connections = detail["connections"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
            #expect(connections == [deploy2], "\(detail.text)")
            #expect(detail["connection_count"] == 1)
        }
    }

    /// KnowledgeHub kept everything in one process's memory: a restart lost it all.
    @Test(.enabled(if: ServeBinaryTests.binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func persistentContextSurvivesARestartOfServe() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-context-\(UUID().uuidString)")
        var databases = [["--database", folder.path + "/db.sqlite"]]
        if let postgres = LiveAPI.postgresURL, let redis = LiveAPI.redisURL {
            databases.append(["--database", try LiveAPI.freshDatabase(postgres), "--redis", redis])
        }
        for database in databases {
            let arguments = ["serve", "--port", "0", "--no-embeddings"] + database
            let user = "restart-\(UUID().uuidString.prefix(8))"
            let first = try ServeProcess(binary: ServeBinaryTests.binary!, arguments: arguments)
            defer { first.stop() }
            let stored = try await Self.call(
                try await first.waitForAddress(), .POST, Self.base,
                ["content": "The staging database lives on port 5433", "context_type": "technical_knowledge", "scope": "user", "user_id": .string(user)])
            let id = try #require(stored.json?.objectValue?["context_id"]?.stringValue, "\(stored.text)")
            #expect(try await first.terminate() == 0)

            let second = try ServeProcess(binary: ServeBinaryTests.binary!, arguments: arguments)
            defer { second.stop() }
            let base = try await second.waitForAddress()
            let found = try await Self.call(base, .POST, Self.base + "/query", ["query": "staging database port", "user_id": .string(user)])
            #expect(found.json?.arrayValue?.first?.objectValue?["id"]?.stringValue == id, "lost after a restart: \(found.text)")
            let detail = try await Self.call(base, .GET, Self.base + "/vectors/\(id)?user_id=\(user)")
            #expect(detail.status == 200, "\(detail.text)")
            #expect(try await second.terminate() == 0)
        }
    }

    static func call(_ base: String, _ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> (status: UInt, json: JSONValue?, text: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 22))
        return (response.status.code, try? JSONParser.parse(text), text)
    }
}
