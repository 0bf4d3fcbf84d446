import Foundation
import Embeddings
import Logging
import MemoryCore
import MemoryService
import Testing

/// A deterministic bag-of-words embedder for tests: each word lands in one of `dimension` buckets.
struct BucketEmbedder: Embedder {
    let modelName: String
    let dimension: Int

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { text in
            var vector = [Float](repeating: 0, count: dimension)
            for word in SearchText.words(text) {
                var hasher = 5381
                for byte in word.utf8 { hasher = (hasher &* 33) &+ Int(byte) }
                vector[abs(hasher) % dimension] += 1
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? vector.map { $0 / norm } : vector
        }
    }
}

/// Issue 10, item 3: a database filled with one embedding model, served with another, once
/// returned nothing for semantic search (and /ready said ok) until every vector was rebuilt and
/// the server restarted. The model is recorded; a change drops and re-embeds every vector, and
/// the in-process index follows, on both stores.
@Suite struct EmbeddingModelChangeTests {
    @Test func aNewModelReembedsEverythingAndSemanticSearchFindsAgain() async throws {
        for deployment in try LiveAPI.deployments {
            let first = BucketEmbedder(modelName: "first", dimension: 16)
            let second = BucketEmbedder(modelName: "second", dimension: 24)
            let services = try MemoryHubServices.open(deployment, embedder: first, logger: Logger(label: "test"))
            let memoryID = try await services.withBackgroundServices { services in
                let session = try await services.sessions.start(SessionStartRequest(userID: "mona", autoLink: false)).session
                let memory = try await services.memories.create(
                    NewMemory(sessionID: session.id, content: "deploy on friday evening", memoryType: .fact), actingUser: "mona")
                try await services.embeddingService!.drain()
                var search = SearchRequest(userID: "mona", query: "friday deploy")
                search.mode = .semantic
                #expect(try await services.search.search(search).results.map(\.memory.id) == [memory.id], "\(deployment.databaseURL)")
                return memory.id
            }

            // The same database, served with another model: it is detected and every vector redone.
            let restarted = try MemoryHubServices.open(deployment, embedder: second, logger: Logger(label: "test"))
            try await restarted.withBackgroundServices { services in
                var search = SearchRequest(userID: "mona", query: "friday deploy")
                search.mode = .semantic
                // Before re-embedding, the index holds the old vectors: never compared with the new query.
                #expect(try await services.search.search(search).results.isEmpty)
                // Then the model change is found, the vectors redone, and the same index rebuilds in place.
                let redone = try await services.embeddingService!.drain()
                #expect(redone == 1, "the memory is embedded again with the new model")
                #expect(try await services.search.search(search).results.map(\.memory.id) == [memoryID])
                let readiness = await services.readiness()
                #expect(readiness.embedder?.dimension == 24 && readiness.embeddingBacklog == 0)
                // A second start with the same model changes nothing.
                #expect(try await services.embeddingService!.drain() == 0)
            }
        }
    }
}
