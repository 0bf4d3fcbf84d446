import Logging
package import MemoryCore
package import MemoryStore
internal import PostgresNIO
import ServiceLifecycle
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PostgresMemoryStore {
    /// Candidates from the `tsvector` GIN index (English stemming), ranked by `ts_rank` normalized
    /// by document length. The terms are letters and digits only, joined with `|`.
    package func lexicalMatches(terms: [String], filter: SearchFilter, limit: Int) async throws -> [LexicalMatch] {
        let words = terms.filter { !$0.isEmpty && $0.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil } }
        guard !words.isEmpty, limit > 0 else { return [] }
        try StoredTextCheck.check(filter.userID, field: "user_id")
        try StoredTextCheck.check(filter.projectID, field: "project_id")
        for tag in filter.tags { try StoredTextCheck.check(tag, field: "tags") }
        let types = filter.memoryTypes.isEmpty ? nil : filter.memoryTypes.map(\.rawValue).sorted()
        let tags = filter.tags.isEmpty ? nil : filter.tags
        // A run of an unspaced script (Chinese, Japanese, Korean) becomes a phrase of its characters.
        let query = words.map { word in
            let parts = SearchText.spacingUnspacedScripts(word).split(separator: " ")
            return parts.count == 1 ? word : "(" + parts.joined(separator: " <-> ") + ")"
        }.joined(separator: " | ")
        return try await fetch(
            """
            SELECT id, ts_rank(search_vector, query, 1) AS score, importance, created_at, superseded_by IS NOT NULL
            FROM memories, to_tsquery('memoryhub_english'::regconfig, \(query)) AS query
            WHERE search_vector @@ query AND user_id = \(filter.userID)
                AND (\(filter.projectID)::text IS NULL OR project_id = \(filter.projectID)::text)
                AND (\(filter.sessionID)::uuid IS NULL OR session_id = \(filter.sessionID)::uuid)
                AND (\(types)::text[] IS NULL OR memory_type = ANY(\(types)::text[]))
                AND (\(filter.minImportance)::float8 IS NULL OR importance >= \(filter.minImportance)::float8)
                AND (\(tags)::text[] IS NULL OR tags && \(tags)::text[])
                AND (\(filter.createdAfter?.postgres)::timestamptz IS NULL OR created_at >= \(filter.createdAfter?.postgres)::timestamptz)
            ORDER BY score DESC, id
            LIMIT \(limit)
            """
        ) { row in
            let (id, score, importance, createdAt, superseded) = try row.decode((UUID, Float, Double, PostgresTimestamp, Bool).self)
            return LexicalMatch(id: id, score: Double(score), importance: importance, createdAt: createdAt.timestamp, isSuperseded: superseded)
        }
    }

    package func changeSequence(userID: String) async throws -> Int64 {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch("SELECT value FROM user_sequences WHERE user_id = \(userID)") { try $0.decode(Int64.self) }.first ?? 0
    }

    /// One statement (one snapshot) reads the changed memories and the tombstones together, so
    /// no change committed between two reads can be skipped.
    package func indexChanges(userID: String, after sequence: Int64) async throws -> [IndexChange] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            SELECT id, change_seq, session_id, project_id, memory_type, importance, tags, created_at, embedding,
                superseded_by IS NOT NULL
            FROM memories WHERE user_id = \(userID) AND change_seq > \(sequence)
            UNION ALL
            SELECT id, change_seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM memory_tombstones WHERE user_id = \(userID) AND change_seq > \(sequence)
            ORDER BY change_seq
            """
        ) { row -> IndexChange in
            let (id, changeSequence, sessionID, projectID, memoryType, importance, tags, createdAt, embedding, superseded) = try row.decode(
                (UUID, Int64, UUID?, String?, String?, Double?, [String]?, PostgresTimestamp?, ByteBuffer?, Bool?).self)
            guard let sessionID, let memoryType, let importance, let createdAt,
                let vector = embedding.flatMap({ VectorBytes.decode($0.readableBytesView) })
            else { return IndexChange(id: id, sequence: changeSequence, entry: nil) }
            return IndexChange(
                id: id, sequence: changeSequence,
                entry: IndexedMemory(
                    id: id, sessionID: sessionID, projectID: projectID, memoryType: MemoryType(rawValue: memoryType) ?? .fact,
                    importance: importance, tags: tags ?? [], createdAt: createdAt.timestamp, vector: vector,
                    isSuperseded: superseded ?? false))
        }
    }
}
