import Synchronization

/// A gate that opens once, when the store is migrated (`MemoryHubServices.prepare()`). Background
/// services (embedding, cleanup) wait on it before their first store call, so a fresh database
/// never sees a query before its tables exist, whatever order the ServiceGroup starts them in.
package final class StorePreparation: Sendable {
    private struct State {
        var isPrepared = false
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Opens the gate and wakes every waiter. Opening twice does nothing more.
    func markPrepared() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.isPrepared = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the store is prepared; throws `CancellationError` if the task is cancelled
    /// first.
    package func wait() async throws {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = state.withLock { state in
                    if state.isPrepared { return .some(nil) }
                    if Task.isCancelled { return .some(CancellationError()) }
                    state.waiters[id] = continuation
                    return .none
                }
                switch resumeNow {
                case .some(nil): continuation.resume()
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .none: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
