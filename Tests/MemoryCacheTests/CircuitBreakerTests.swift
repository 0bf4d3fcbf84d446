import Foundation
import MemoryCache
import Testing

@Suite struct CircuitBreakerTests {
    let start = ContinuousClock.now

    @Test func aFailureOpensTheBreakerForAGrowingBackoff() {
        var breaker = CircuitBreaker(configuration: .init(initialBackoff: .seconds(1), maximumBackoff: .seconds(3)))
        #expect(breaker.permit(at: start) == .allowed)
        breaker.recordFailure(at: start)
        #expect(breaker.permit(at: start + .milliseconds(999)) == .denied)
        #expect(breaker.permit(at: start + .seconds(1)) == .recover(pending: [], clearAll: false))
        #expect(breaker.permit(at: start + .seconds(1)) == .denied, "only one caller recovers")
        breaker.recordFailure(at: start + .seconds(1))
        #expect(breaker.permit(at: start + .milliseconds(2999)) == .denied, "the back-off doubled")
        #expect(breaker.permit(at: start + .seconds(3)) == .recover(pending: [], clearAll: false))
        breaker.recoverySucceeded(deleted: [], clearedAll: false)
        #expect(breaker.permit(at: start + .seconds(3)) == .allowed)
        breaker.recordFailure(at: start + .seconds(4))
        #expect(breaker.permit(at: start + .seconds(5)) != .denied, "a successful recovery reset the back-off")
    }

    @Test func pendingInvalidationsAreHandedToTheRecoveringCaller() {
        var breaker = CircuitBreaker(configuration: .init(initialBackoff: .seconds(1)))
        let stale = UUID()
        breaker.addPending(stale)
        breaker.recordFailure(at: start)
        #expect(breaker.permit(at: start + .seconds(2)) == .recover(pending: [stale], clearAll: false))
        let lateComer = UUID()
        breaker.addPending(lateComer)
        breaker.recoverySucceeded(deleted: [stale], clearedAll: false)
        #expect(breaker.permit(at: start + .seconds(2)) == .recover(pending: [lateComer], clearAll: false))
    }

    @Test func tooManyPendingInvalidationsClearTheNamespace() {
        var breaker = CircuitBreaker(configuration: .init(initialBackoff: .seconds(1), maximumPending: 3))
        for _ in 0..<5 { breaker.addPending(UUID()) }
        breaker.recordFailure(at: start)
        #expect(breaker.permit(at: start + .seconds(1)) == .recover(pending: [], clearAll: true))
        breaker.recoverySucceeded(deleted: [], clearedAll: true)
        #expect(breaker.permit(at: start + .seconds(1)) == .allowed)
    }
}
