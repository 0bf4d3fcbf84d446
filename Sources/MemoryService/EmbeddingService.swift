package import MemoryStore
import MemoryCore
package import Embeddings
package import Logging
import Metrics
import ServiceLifecycle
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Raised by writes that need an embedding, so the embedding service starts at once instead of
/// at its next poll. One waiter at a time (the embedding service); it is woken, not polled.
package final class EmbeddingSignal: Sendable {
    private struct State {
        var raised = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    package init() {}

    /// Wakes the waiter, or makes its next wait return at once.
    package func raise() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.raised = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when the signal is raised (at once if it was raised since the last wait), when
    /// `timeout` has passed, or when the task is cancelled.
    func wait(timeout: Duration) async {
        if state.withLock({ state in defer { state.raised = false }; return state.raised }) { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let now = self.state.withLock { state -> Bool in
                            if state.raised || Task.isCancelled {
                                state.raised = false
                                return true
                            }
                            state.waiter = continuation
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: {
                    self.state.withLock { state in defer { state.waiter = nil }; return state.waiter }?.resume()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Embeds new and changed memories (then persistent context items) in batches, in the background: a write never waits for a
/// vector. The queue is the store itself (memories with `has_embedding = false`), so nothing is
/// lost on restart and several replicas can share the work (a vector is stored only for the
/// memory version it was computed from). The backlog is the gauge `memoryhub.embedding.queue.depth`.
package final class EmbeddingService: Service, Sendable {
    package struct Configuration: Sendable {
        /// Memories embedded per call to the embedder.
        package var batchSize = 32
        /// How often the store is asked for work when no write of this process raised the signal
        /// (other processes and replicas write too).
        package var pollInterval: Duration = .seconds(2)
        /// The longest pause after failures (doubling from one second).
        package var maximumBackoff: Duration = .seconds(30)

        package init() {}
    }

    let store: any MemoryStore
    let embedder: any Embedder
    let signal: EmbeddingSignal
    let preparation: StorePreparation
    let configuration: Configuration
    let logger: Logger
    /// Memory versions the embedder refused on their own: skipped until this process restarts
    /// (or the memory changes), so one bad text cannot stop everyone's embeddings.
    private let refused = Mutex<Set<RefusedJob>>([])
    private struct RefusedJob: Hashable { var id: UUID; var version: Int64 }
    private let backlog = Gauge(label: "memoryhub.embedding.queue.depth")
    private let embedded = Counter(label: "memoryhub.embedding.embedded.total")
    private let failures = Counter(label: "memoryhub.embedding.failures.total")
    private let modelChanges = Counter(label: "memoryhub.embedding.model_changes.total")
    /// The backlog the last batch saw (-1 before the first), for `/ready` without another count.
    private let lastBacklog = Atomic<Int>(-1)

    /// Memories waiting for a vector, as of the last batch; nil before the first batch.
    package var pending: Int? {
        let value = lastBacklog.load(ordering: .relaxed)
        return value < 0 ? nil : value
    }

    /// The embedder as the store records it: `name/dimension`.
    package var modelIdentity: String { "\(embedder.modelName)/\(embedder.dimension)" }

    /// `preparation` is the gate `MemoryHubServices.prepare()` opens: nothing is read from the store before.
    package init(
        store: any MemoryStore, embedder: any Embedder, signal: EmbeddingSignal, preparation: StorePreparation,
        configuration: Configuration = .init(), logger: Logger
    ) {
        self.store = store
        self.embedder = embedder
        self.signal = signal
        self.preparation = preparation
        self.configuration = configuration
        self.logger = logger
    }

    /// Embeds until graceful shutdown, once the store is prepared: batch after batch while there
    /// is work, then waits for the signal or the poll interval.
    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.preparation.wait() }
        } catch {
            return
        }
        var reconciled = false
        while !reconciled && !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await reconcileModel()
                reconciled = true
            } catch {
                logger.warning("could not check the embedding model; retrying", metadata: ["memoryhub.error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
            }
        }
        var backoff: Duration = .seconds(1)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let count = try await embedBatch()
                backoff = .seconds(1)
                if count > 0 { continue }
            } catch is CancellationError {
                return
            } catch {
                failures.increment()
                logger.warning("embedding failed; retrying", metadata: ["memoryhub.error": "\(error)", "memoryhub.retry_in": "\(backoff)"])
                let pause = backoff
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                backoff = min(backoff * 2, configuration.maximumBackoff)
                continue
            }
            await idle()
        }
    }

    /// Compares the embedder with the model the stored vectors come from. On a change (another
    /// name or dimension), every stored vector is dropped and queued to be embedded again, so a
    /// vector of the old model is never compared with one of the new; the indexes follow the
    /// store's change feed and rebuild in place. A database from before the model was recorded
    /// keeps its vectors when their length matches.
    package func reconcileModel() async throws {
        let recorded = try await store.embeddingModel()
        guard recorded != modelIdentity else { return }
        // A recorded model other than ours is a change; with none recorded, vectors of another length are.
        let changed = recorded != nil ? true : try await store.storedVectorDimension().map { $0 != embedder.dimension } ?? false
        let queued = try await store.setEmbeddingModel(modelIdentity, clearingVectors: changed)
        if changed {
            modelChanges.increment()
            logger.notice("the embedding model changed; every memory is embedded again", metadata: [
                "memoryhub.embedding.from": "\(recorded ?? "unrecorded")", "memoryhub.embedding.to": "\(modelIdentity)",
                "memoryhub.embedding.queued": "\(queued)",
            ])
            signal.raise()
        }
    }

    /// Embeds everything waiting now, then returns how many were stored: for one-shot commands
    /// (`memoryhub eval`) and tests.
    @discardableResult
    package func drain() async throws -> Int {
        try await reconcileModel()
        var total = 0
        while true {
            let count = try await embedBatch()
            if count == 0 { return total }
            total += count
        }
    }

    /// One batch: returns how many jobs it found (0 means the queue was empty). When the embedder
    /// fails a batch, its texts are tried one by one; those that fail while others succeed are set
    /// aside (and logged) and the rest are stored. When every text fails, the embedder is taken to
    /// be down and the error is thrown (the service backs off and retries them all).
    func embedBatch() async throws -> Int {
        let skipped = refused.withLock { $0 }
        let jobs = try await store.embeddingJobs(limit: configuration.batchSize + min(skipped.count, 10_000))
            .filter { !skipped.contains(RefusedJob(id: $0.id, version: $0.version)) }
            .prefix(configuration.batchSize)
        guard !jobs.isEmpty else {
            backlog.record(0)
            lastBacklog.store(0, ordering: .relaxed)
            // Memories first; then persistent context items, embedded the same way.
            return try await embedContextBatch()
        }
        var computed: [ComputedEmbedding] = []
        do {
            computed = try await embeddings(of: jobs)
        } catch let error where jobs.count > 1 && !(error is CancellationError) {
            var failed: [(EmbeddingJob, any Error)] = []
            for job in jobs {
                do {
                    if let vector = try await embedder.embed([job.text]).first {
                        computed.append(ComputedEmbedding(id: job.id, version: job.version, vector: vector))
                    }
                } catch {
                    failed.append((job, error))
                }
            }
            // Nothing went through: the embedder is down, not the texts bad; retry them all later.
            if computed.isEmpty { throw failed.last?.1 ?? error }
            for (job, error) in failed { refuse(job, error) }
        }
        let stored = try await store.storeEmbeddings(computed)
        embedded.increment(by: stored)
        let waiting = try await store.embeddingBacklog()
        backlog.record(waiting)
        lastBacklog.store(waiting, ordering: .relaxed)
        // A memory changed while it was embedded keeps has_embedding = false and comes back.
        return jobs.count
    }

    private func refuse(_ job: EmbeddingJob, _ error: any Error) {
        failures.increment()
        logger.error("the embedder refused a memory; it is skipped until it changes or the server restarts", metadata: [
            "memoryhub.memory.id": "\(job.id.lowercased)", "memoryhub.error": "\(error)",
        ])
        refused.withLock { refused in
            if refused.count < 100_000 { refused.insert(RefusedJob(id: job.id, version: job.version)) }
        }
    }

    /// Waits until the signal is raised, the poll interval has passed or shutdown begins.
    private func idle() async {
        await cancelWhenGracefulShutdown { await self.signal.wait(timeout: self.configuration.pollInterval) }
    }
}
