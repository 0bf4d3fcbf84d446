import Embeddings
import Foundation
import HTTPTypes
import Logging
import MemoryCore
import MemoryService
import Testing

/// Search with the real built-in model, on every store: lexical before a memory's vector exists,
/// semantic after, and replicas that see each other's vectors.
@Suite struct SemanticSearchTests {
    @Test func searchIsLexicalBeforeTheVectorAndSemanticAfter() async throws {
        guard let model = LiveAPI.model else { return }
        try await LiveAPI.run(embedder: model) { api, services in
            let alice = "alice-\(UUID().uuidString.prefix(6))", bob = "bob-\(UUID().uuidString.prefix(6))"
            let session = try await api.startSession(alice)
            let ci = try await api.createMemory(session, "Our release pipeline runs on GitHub Actions and publishes Docker images")
            let cat = try await api.createMemory(session, "The office cat is called Biscuit and sleeps on the radiator")
            let bobs = try await api.createMemory(try await api.startSession(bob), "Bob's continuous integration uses Jenkins")
            let paraphrase: JSONValue = ["query": "which continuous integration service builds our software", "user_id": .string(alice), "mode": "semantic"]

            // Before the background embedding: the memory is there, lexically, without a vector.
            #expect(try await api.get("/api/memory/memories/\(ci)", user: alice)["has_embedding"] == false)
            #expect(try await api.post("/api/memory/memories/search", paraphrase)["total"] == 0, "\(api.deployment)")
            let lexical = try await api.post("/api/memory/memories/search", ["query": "release pipeline", "user_id": .string(alice)])
            #expect(SearchRoutesTests.ids(lexical) == [ci], "\(api.deployment): \(lexical.text)")

            let embedded = try await services.embeddingService?.drain() ?? 0
            #expect(embedded >= 3)
            #expect(try await api.get("/api/memory/memories/\(ci)", user: alice)["has_embedding"] == true)

            let semantic = try await api.post("/api/memory/memories/search", paraphrase)
            #expect(SearchRoutesTests.ids(semantic).first == ci, "\(api.deployment): \(semantic.text)")
            #expect(!SearchRoutesTests.ids(semantic).contains(bobs), "never another user's memory")
            var hybridQuery = paraphrase.objectValue!
            hybridQuery["mode"] = "hybrid"
            hybridQuery["explain"] = true
            let hybrid = try await api.post("/api/memory/memories/search", .object(hybridQuery))
            #expect(SearchRoutesTests.ids(hybrid).first == ci && hybrid["mode"] == "hybrid")
            let breakdown = hybrid["results"]?.arrayValue?.first?.objectValue?["score_breakdown"]?.objectValue
            #expect(breakdown?["semantic_rank"] == 1 && (breakdown?["similarity"]?.numberValue ?? 0) >= 0.2)

            let vector = try await api.post("/api/memory/vector/search", ["query": "a pet animal at work", "user_id": .string(alice), "min_similarity": 0.2])
            let first = vector["results"]?.arrayValue?.first?.objectValue
            #expect(first?["memory"]?.objectValue?["id"]?.stringValue == cat, "\(vector.text)")
            #expect((first?["similarity"]?.numberValue ?? 0) >= 0.2)
            let strict = try await api.post("/api/memory/vector/search", ["query": "a pet animal at work", "user_id": .string(alice), "min_similarity": 0.99])
            #expect(strict["total"] == 0)

            let similar = try await api.post("/api/memory/vector/similar/\(ci)", ["min_similarity": 0.0], user: alice)
            let similarIDs = similar["results"]?.arrayValue?.compactMap { $0.objectValue?["memory"]?.objectValue?["id"]?.stringValue } ?? []
            #expect(similarIDs == [cat], "only the owner's other memories: \(similar.text)")

            // A changed content is embedded again; until then semantic search does not use the old vector.
            _ = try await api.patch("/api/memory/memories/\(cat)", ["content": "Deployment credentials rotate every ninety days"])
            #expect(try await api.get("/api/memory/memories/\(cat)", user: alice)["has_embedding"] == false)
            let stale = try await api.post("/api/memory/vector/search", ["query": "a pet animal at work", "user_id": .string(alice), "min_similarity": 0.3])
            #expect(!(stale["results"]?.arrayValue ?? []).contains { $0.objectValue?["memory"]?.objectValue?["id"]?.stringValue == cat })
            _ = try await services.embeddingService?.drain()
            let rotated = try await api.post("/api/memory/memories/search", ["query": "how often are secrets changed", "user_id": .string(alice), "mode": "semantic"])
            #expect(SearchRoutesTests.ids(rotated).first == cat, "\(rotated.text)")

            let ready = try await api.get("/ready")
            #expect(ready["embedder"]?.objectValue?["status"] == "ok" && ready["embedder"]?.objectValue?["dimension"] == 384)
        }
    }

    @Test func aReplicaSeesVectorsAnotherReplicaWrote() async throws {
        guard let model = LiveAPI.model else { return }
        for deployment in try LiveAPI.deployments {
            let logger = Logger(label: "test")
            let first = try MemoryHubServices.open(deployment, embedder: model, logger: logger)
            let second = try MemoryHubServices.open(deployment, embedder: model, logger: logger)
            try await first.withBackgroundServices { first in
                try await second.withBackgroundServices { second in
                    let user = "u-\(UUID().uuidString.prefix(6))"
                    let (session, _) = try await first.sessions.start(SessionStartRequest(userID: user))
                    _ = try await first.memories.create(NewMemory(sessionID: session.id, content: "Tea is brewed at 80 degrees", memoryType: .fact), actingUser: user)
                    try await first.embeddingService?.drain()
                    var request = SearchRequest(userID: user, query: "what temperature for green tea")
                    request.mode = .semantic
                    #expect(try await second.search.search(request).results.count == 1, "the second replica loads its index")
                    // The second replica's index is warm; the first writes and embeds again.
                    let added = try await first.memories.create(
                        NewMemory(sessionID: session.id, content: "Green tea steeps for two minutes", memoryType: .fact), actingUser: user)
                    try await first.embeddingService?.drain()
                    request.query = "how long should green tea steep"
                    let found = try await second.search.search(request)
                    #expect(found.results.first?.memory.id == added.id, "\(deployment.isPostgres ? "postgres" : "sqlite")")
                    try await first.memories.delete(id: added.id, actingUser: user)
                    #expect(try await second.search.search(request).results.allSatisfy { $0.memory.id != added.id })
                }
            }
        }
    }
}
