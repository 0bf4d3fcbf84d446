import Embeddings
import Logging
import MemoryCore
import MemoryStore

extension EmbeddingService {
    /// One batch of persistent context items without a vector: returns how many it found (0: none
    /// waiting). When the embedder refuses a batch, its texts are tried one by one; a text refused
    /// while others go through is marked done without a vector (queries compare its words), so one
    /// bad text cannot hold the queue. When every text fails the error is thrown (the embedder is down).
    func embedContextBatch() async throws -> Int {
        let jobs = try await store.contextEmbeddingJobs(limit: configuration.batchSize)
        guard !jobs.isEmpty else { return 0 }
        var computed: [ComputedEmbedding] = []
        do {
            computed = try await embeddings(of: jobs)
        } catch let error where jobs.count > 1 && !(error is CancellationError) {
            var refused: [EmbeddingJob] = []
            for job in jobs {
                if let vector = try? await embedder.embed([job.text]).first {
                    computed.append(ComputedEmbedding(id: job.id, version: job.version, vector: vector))
                } else {
                    refused.append(job)
                }
            }
            if computed.isEmpty { throw error }
            for job in refused {
                logger.error("the embedder refused a context item; it is kept without a vector", metadata: ["memoryhub.context.id": "\(job.id.lowercased)"])
                computed.append(ComputedEmbedding(id: job.id, version: job.version, vector: []))
            }
        }
        _ = try await store.storeContextEmbeddings(computed)
        return jobs.count
    }

    /// One embedder call for all `jobs`; throws when it answers with another number of vectors.
    func embeddings(of jobs: some Collection<EmbeddingJob>) async throws -> [ComputedEmbedding] {
        let vectors = try await embedder.embed(jobs.map(\.text))
        guard vectors.count == jobs.count else {
            throw MemoryHubError.internal("the embedder returned \(vectors.count) vectors for \(jobs.count) texts")
        }
        return zip(jobs, vectors).map { ComputedEmbedding(id: $0.id, version: $0.version, vector: $1) }
    }
}
