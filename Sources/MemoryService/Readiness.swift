package import MemoryCore
import MemoryStore
import MemoryCache
import Embeddings

/// Whether the deployment can serve, part by part, as `GET /ready` shows it.
package struct Readiness: Sendable {
    /// Nil when the store answers; else why not (a sentence safe to show).
    package var storeProblem: String?
    /// The session cache's backend: `memory`, `redis` or `none`.
    package var cacheBackend: String
    /// The embedding model's name and vector length; nil when search is lexical only.
    package var embedder: (model: String, dimension: Int)?
    /// Why the embedding model is not answering queries now (its circuit breaker is open); nil when it is.
    package var embedderProblem: String?
    /// Memories waiting for a vector (after a model change, every memory), as the embedding
    /// service last counted them; nil when it has not run a batch.
    package var embeddingBacklog: Int?
    /// The session cleanup's health (`healthy`, `unhealthy`, `stopped`) and its last completed
    /// run: informational, it never makes the deployment unready. Nil when it could not be read.
    package var cleanup: (status: String, lastCleanup: Timestamp?)?

    /// A report: `storeProblem` nil when the store answers.
    package init(storeProblem: String?, cacheBackend: String, embedder: (model: String, dimension: Int)?, embedderProblem: String? = nil) {
        self.storeProblem = storeProblem
        self.cacheBackend = cacheBackend
        self.embedder = embedder
        self.embedderProblem = embedderProblem
    }

    /// True when the store answers (the cache and the embedder degrade, they never stop serving).
    package var isReady: Bool { storeProblem == nil }
}

extension MemoryHubServices {
    /// Asks the store for a round trip and reports the cache and the embedder.
    package func readiness() async -> Readiness {
        var problem: String?
        do {
            try await store.ping()
        } catch {
            problem = "\(error)"
        }
        var readiness = Readiness(
            storeProblem: problem, cacheBackend: sessionCache.statistics.backend,
            embedder: search.embedder.map { ($0.modelName, $0.dimension) }, embedderProblem: search.embedderProblem)
        readiness.embeddingBacklog = embeddingService?.pending
        if problem == nil, let status = try? await cleanup.status() {
            readiness.cleanup = (status.health(at: .now()), status.history.lastSuccess?.completedAt)
        }
        return readiness
    }

    /// The session cache's backend: `memory`, `redis` or `none`.
    package var cacheBackend: String { sessionCache.statistics.backend }
}
