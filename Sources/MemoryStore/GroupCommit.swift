import Metrics
import Synchronization

/// Group commit (Gray and Reuter, "Transaction Processing", 1993, §9.4.7): writes that arrive
/// while a transaction is being written wait, and then go together in the next one, so a burst of
/// concurrent writes pays for one transaction and one commit (one fsync where the store syncs)
/// instead of one each. Nothing waits for a timer: a write that finds the store idle starts a
/// transaction at once, so a lone write is as fast as before.
///
/// Every caller is answered only after the transaction holding its item has committed, with its
/// own item's outcome: `flush` returns one result per item, in order, so one item's failure
/// (a session gone, a value refused) is that caller's error and not its neighbours'. A failure of
/// the transaction itself is every item's error.
///
/// At most one flush runs at a time per instance; a flush takes at most `maximumBatch` items.
package final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    /// Writes `items` in one transaction and returns each one's outcome, in the same order.
    package typealias Flush = @Sendable ([Item]) async -> [Result<Outcome, any Error>]

    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State: Sendable {
        var queue: [Waiting] = []
        var flushing = false
        var statistics = GroupCommitStatistics()
    }

    private let state = Mutex(State())
    private let maximumBatch: Int
    private let flush: Flush
    private let transactionCounter: Counter
    private let itemCounter: Counter

    /// - Parameters:
    ///   - maximumBatch: the most items one transaction takes (at least 1).
    ///   - label: names the metrics `memoryhub.store.<label>.transactions.total` and
    ///     `memoryhub.store.<label>.items.total` (items per transaction is their ratio).
    ///   - flush: writes one batch; must return exactly one result per item.
    package init(maximumBatch: Int, label: String, flush: @escaping Flush) {
        self.maximumBatch = max(1, maximumBatch)
        self.flush = flush
        transactionCounter = Counter(label: "memoryhub.store.\(label).transactions.total")
        itemCounter = Counter(label: "memoryhub.store.\(label).items.total")
    }

    /// How many transactions and items so far.
    package var statistics: GroupCommitStatistics { state.withLock { $0.statistics } }

    /// Queues `item` and returns its outcome once the transaction that wrote it has committed.
    package func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state in
                state.queue.append(Waiting(item: item, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if leads { Task { await self.drain() } }
        }
    }

    /// Flushes batches until the queue is empty.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = Array(state.queue.prefix(maximumBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.flushing = false }
                if !batch.isEmpty {
                    state.statistics.transactions += 1
                    state.statistics.items += batch.count
                    state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            transactionCounter.increment()
            itemCounter.increment(by: batch.count)
            var results = await flush(batch.map(\.item))
            if results.count != batch.count {
                let error = GroupCommitError.resultCountMismatch(expected: batch.count, got: results.count)
                results = Array(repeating: .failure(error), count: batch.count)
            }
            for (waiting, result) in zip(batch, results) { waiting.continuation.resume(with: result) }
        }
    }
}

/// What a ``GroupCommit`` has written: items per transaction is `items / transactions`.
package struct GroupCommitStatistics: Sendable, Equatable {
    /// Transactions (flushes) run.
    package var transactions = 0
    /// Items written in them.
    package var items = 0
    /// The most items one transaction took.
    package var largestBatch = 0
    /// Items whose batch transaction failed as a whole and that were written again one by one
    /// (PostgreSQL; a batch fails whole when one item's statement fails).
    package var retriedAlone = 0

    package init() {}
}

/// A ``GroupCommit`` flush broke its contract.
package enum GroupCommitError: Error, Sendable {
    case resultCountMismatch(expected: Int, got: Int)
}
