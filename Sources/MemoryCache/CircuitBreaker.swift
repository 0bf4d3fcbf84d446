#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// When a shared cache may be used, as a pure state machine (no I/O, no clock of its own).
///
/// Closed: every call goes to the cache. A failure opens the breaker for a back-off that doubles
/// up to a maximum; while open, calls skip the cache (requests go to the store without waiting
/// for timeouts). Writes and deletions that could not reach the cache are remembered as pending
/// invalidations. When the back-off has passed, exactly one caller is told to recover: delete the
/// pending keys (or the whole namespace, when too many piled up) before anything is read from the
/// cache again, so no entry that went stale during the outage is ever served.
package struct CircuitBreaker: Sendable {
    package struct Configuration: Sendable {
        package var initialBackoff: Duration = .milliseconds(500)
        package var maximumBackoff: Duration = .seconds(30)
        /// Beyond this many pending invalidations, recovery clears the whole namespace instead.
        package var maximumPending: Int = 10_000

        /// The defaults above, with any value given here instead.
        package init(initialBackoff: Duration? = nil, maximumBackoff: Duration? = nil, maximumPending: Int? = nil) {
            if let initialBackoff { self.initialBackoff = initialBackoff }
            if let maximumBackoff { self.maximumBackoff = maximumBackoff }
            if let maximumPending { self.maximumPending = maximumPending }
        }
    }

    /// What a caller may do now.
    package enum Permit: Equatable, Sendable {
        /// Use the cache.
        case allowed
        /// Skip the cache.
        case denied
        /// Delete these keys (or everything, when `clearAll`) and report back with
        /// `recoverySucceeded` or `recordFailure`; until then everyone else is denied.
        case recover(pending: Set<UUID>, clearAll: Bool)
    }

    enum State: Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        case recovering
    }

    let configuration: Configuration
    private(set) var state: State = .closed
    private var backoff: Duration
    private(set) var pending: Set<UUID> = []
    private(set) var overflowed = false

    package init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.backoff = configuration.initialBackoff
    }

    package var isClosed: Bool { state == .closed }

    package mutating func permit(at now: ContinuousClock.Instant) -> Permit {
        switch state {
        case .closed:
            return pending.isEmpty && !overflowed ? .allowed : startRecovery()
        case .recovering:
            return .denied
        case .open(let until):
            return now < until ? .denied : startRecovery()
        }
    }

    /// For a background probe that must not wait out the back-off: `.recover` when invalidations
    /// are pending (in any state but recovering), nil when there is nothing to do. The probe then
    /// reports back as a caller of `permit` would.
    package mutating func pendingRecovery() -> Permit? {
        guard state != .recovering, !pending.isEmpty || overflowed else { return nil }
        return startRecovery()
    }

    private mutating func startRecovery() -> Permit {
        state = .recovering
        return .recover(pending: pending, clearAll: overflowed)
    }

    /// The cache failed: open (or re-open) with a longer back-off.
    package mutating func recordFailure(at now: ContinuousClock.Instant) {
        state = .open(until: now + backoff)
        backoff = min(backoff * 2, configuration.maximumBackoff)
    }

    /// The keys handed out by `.recover` were deleted: close.
    package mutating func recoverySucceeded(deleted: Set<UUID>, clearedAll: Bool) {
        if clearedAll {
            pending.removeAll()
            overflowed = false
        } else {
            pending.subtract(deleted)
        }
        state = .closed
        backoff = configuration.initialBackoff
    }

    /// A call that was allowed succeeded.
    package mutating func recordSuccess() {
        if state == .closed { backoff = configuration.initialBackoff }
    }

    /// Remembers a key whose cache entry may now be stale.
    package mutating func addPending(_ id: UUID) {
        guard !overflowed else { return }
        pending.insert(id)
        if pending.count > configuration.maximumPending {
            pending.removeAll()
            overflowed = true
        }
    }
}
