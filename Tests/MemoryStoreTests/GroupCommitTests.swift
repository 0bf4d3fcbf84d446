import MemoryStore
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    struct Refused: Error, Equatable {
        let item: Int
    }

    /// Records each batch; holds the first transaction open until `release` so that the writes
    /// arriving meanwhile must queue behind it.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let firstStarted = Mutex<Bool>(false)

        func flush(_ items: [Int]) async -> [Result<Int, any Error>] {
            let isFirst = batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if isFirst {
                await withCheckedContinuation { continuation in
                    gate.withLock { $0 = continuation }
                    firstStarted.withLock { $0 = true }
                }
            }
            return items.map { $0 % 5 == 4 ? .failure(Refused(item: $0)) : .success($0 * 10) }
        }

        func release() {
            gate.withLock { $0?.resume(); $0 = nil }
        }
    }

    @Test func writesThatArriveDuringATransactionShareTheNextOneAndGetTheirOwnOutcome() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(maximumBatch: 8, label: "test") { await recorder.flush($0) }
        try await withThrowingTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            group.addTask { (0, await Self.outcome(of: 0, commit)) }
            while !recorder.firstStarted.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            for item in 1...20 {
                group.addTask { (item, await Self.outcome(of: item, commit)) }
            }
            // Wait until all twenty queue behind the open transaction, then let it commit.
            try await Task.sleep(for: .milliseconds(200))
            recorder.release()
            var outcomes: [Int: Result<Int, Refused>] = [:]
            for try await (item, outcome) in group { outcomes[item] = outcome }
            for item in 0...20 {
                #expect(outcomes[item] == (item % 5 == 4 ? .failure(Refused(item: item)) : .success(item * 10)), "item \(item)")
            }
        }
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.first == [0])
        // The twenty waiting writes went in batches of at most eight: three transactions, not twenty.
        #expect(batches.dropFirst().map(\.count) == [8, 8, 4])
        #expect(batches.flatMap { $0 }.sorted() == Array(0...20))
    }

    @Test func aLoneWriteIsFlushedAtOnce() async throws {
        let flushed = Mutex(0)
        let commit = GroupCommit<Int, Int>(maximumBatch: 64, label: "test") { items in
            flushed.withLock { $0 += 1 }
            return items.map { .success($0 + 1) }
        }
        for item in 0..<5 { #expect(try await commit.submit(item) == item + 1) }
        #expect(flushed.withLock { $0 } == 5)
    }

    @Test func aFlushThatBreaksItsContractFailsEveryCallerInsteadOfHanging() async throws {
        let commit = GroupCommit<Int, Int>(maximumBatch: 4, label: "test") { _ in [] }
        await #expect(throws: GroupCommitError.self) { try await commit.submit(1) }
    }

    static func outcome(of item: Int, _ commit: GroupCommit<Int, Int>) async -> Result<Int, Refused> {
        do {
            return .success(try await commit.submit(item))
        } catch let error as Refused {
            return .failure(error)
        } catch {
            Issue.record("unexpected \(error)")
            return .failure(Refused(item: -1))
        }
    }
}
