import MemoryCache
import MemoryCore
import MemoryStore
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A recent memory as both capture passes read it: its words for ``NearDuplicate`` and its
/// statement for ``Supersession``.
struct AnalysedCandidate: Sendable {
    /// The memory as just read (whether it is superseded may change while its text does not).
    let sketch: MemorySketch
    let nearText: NearDuplicate.Text
    let supersession: Supersession.Candidate
}

/// Every write compares itself with the user's 20 newest memories, which are mostly the same 20
/// as for the previous write: reading their text once per process, not once per write, took the
/// capture passes' analysis and comparison from about a quarter of a write's CPU time to about an
/// eighth (BENCHMARKS.md, "Writes"). Entries are keyed by memory id and used only while the content is the same, so an
/// edited memory is read again; the least recently used of `capacity` entries is dropped.
final class CandidateAnalyses: Sendable {
    private struct Analysis: Sendable {
        let content: String
        let nearText: NearDuplicate.Text
        let supersession: Supersession.Candidate
    }

    private let entries: Mutex<LRUMap<UUID, Analysis>>

    init(capacity: Int = 4096) {
        entries = Mutex(LRUMap(capacity: capacity))
    }

    /// A memory just written, analysed by its writer: remembered, so that it is not analysed
    /// again when it becomes a candidate for the next writes.
    func remember(_ id: UUID, content: String, nearText: NearDuplicate.Text, supersession: Supersession.Candidate) {
        entries.withLock { $0.set(Analysis(content: content, nearText: nearText, supersession: supersession), forKey: id) }
    }

    /// `sketches`, each analysed (from the cache when its content is unchanged), in order.
    func analysed(_ sketches: [MemorySketch]) -> [AnalysedCandidate] {
        let cached = entries.withLock { entries in
            sketches.map { sketch in entries.value(forKey: sketch.id).flatMap { $0.content == sketch.content ? $0 : nil } }
        }
        var fresh: [(UUID, Analysis)] = []
        let analysed = zip(sketches, cached).map { sketch, cached in
            let analysis = cached ?? Analysis(
                content: sketch.content, nearText: NearDuplicate.Text(sketch.content),
                supersession: Supersession.Candidate(id: sketch.id, content: sketch.content, memoryType: sketch.memoryType, sessionID: sketch.sessionID))
            if cached == nil { fresh.append((sketch.id, analysis)) }
            return AnalysedCandidate(sketch: sketch, nearText: analysis.nearText, supersession: analysis.supersession)
        }
        if !fresh.isEmpty {
            entries.withLock { entries in for (id, analysis) in fresh { entries.set(analysis, forKey: id) } }
        }
        return analysed
    }
}
