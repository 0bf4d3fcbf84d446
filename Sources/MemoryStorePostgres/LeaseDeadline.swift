import Synchronization

/// Decides the race between leasing a pooled connection and the acquire timeout: exactly one of
/// `lease()` and `expire()` wins. postgres-nio queues a lease while the server is unreachable (until
/// its circuit breaker trips after a minute); this bounds the wait.
final class LeaseDeadline: Sendable {
    private enum Phase {
        case waiting, leased, expired
    }

    private let phase = Mutex(Phase.waiting)

    /// True if the connection arrived before the deadline; the operation may run.
    func lease() -> Bool {
        phase.withLock { phase in
            guard case .waiting = phase else { return false }
            phase = .leased
            return true
        }
    }

    /// True if the deadline passed before a connection arrived; the operation must give up.
    func expire() -> Bool {
        phase.withLock { phase in
            guard case .waiting = phase else { return false }
            phase = .expired
            return true
        }
    }
}
