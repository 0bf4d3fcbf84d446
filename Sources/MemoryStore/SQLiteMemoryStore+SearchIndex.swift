package import MemoryCore
import GRDB
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SQLiteMemoryStore {
    package func lexicalMatches(terms: [String], filter: SearchFilter, limit: Int) async throws -> [LexicalMatch] {
        try StoredTextCheck.check(filter)
        try StoredTextCheck.check(terms, field: "query")
        // Each term is quoted for FTS5, so no character of it is query syntax.
        // A run of an unspaced script (Chinese, Japanese, Korean) becomes a phrase of its characters.
        let phrases = terms.map { term in
            let spaced = SearchText.spacingUnspacedScripts(term).trimmedWhitespace
            return "\"" + spaced.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }
        guard !phrases.isEmpty, limit > 0 else { return [] }
        // Matches are joined to the narrow memories_rank_fields (see the v12 migration), and to
        // memories only for a tag filter.
        let (clauses, arguments) = Self.conditions(for: filter, alias: "r", tagsAlias: "m")
        let filterClause = clauses.joined(separator: " AND ")
        let whereClause = (["memories_fts MATCH ?"] + clauses).joined(separator: " AND ")
        let tagsJoin = filter.tags.isEmpty ? "" : "JOIN memories m ON m.rowid = r.rowid"
        let columns = "r.id AS id, r.importance AS importance, r.created_at AS created_at, r.superseded AS superseded"
        return try await read { db in
            // Rows are decoded as the cursor steps (no copy of each row first), and columns are
            // read by position (id, importance, created_at, superseded, rank): a lookup by name
            // lower-cases the name for every row, which showed in profiles of 10k matches.
            func matches(_ sql: String, _ arguments: StatementArguments) throws -> [LexicalMatch] {
                var found: [LexicalMatch] = []
                let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
                while let row = try cursor.next() {
                    found.append(LexicalMatch(
                        id: try Self.uuid(row, at: 0), score: -(row[4] as Double), importance: row[1],
                        createdAt: Timestamp(microsecondsSinceEpoch: row[2]), isSuperseded: row[3]))
                }
                return found
            }
            func ranked(_ expression: String) throws -> [LexicalMatch] {
                var found: [LexicalMatch] = []
                // Joining every match to its ranking fields before ranking reads a row per match (tens
                // of thousands for a common word in 100k memories). When few are wanted, rank in the
                // index alone first and join only its best: the best `limit` that pass the filter are
                // among them whenever `limit` of them pass it; else read every match as below.
                if limit <= Self.shortlistedMatchLimit {
                    found = try matches(
                        """
                        SELECT \(columns), ranked.rank AS rank
                        FROM (SELECT rowid, \(Self.bm25) AS rank FROM memories_fts WHERE memories_fts MATCH ?
                              ORDER BY rank LIMIT ?) AS ranked
                        JOIN memories_rank_fields r ON r.rowid = ranked.rowid \(tagsJoin)
                        WHERE \(filterClause) ORDER BY ranked.rank LIMIT ?
                        """,
                        [expression, limit * 4] + arguments + [limit])
                }
                if found.count < limit {
                    found = try matches(
                        """
                        SELECT \(columns), \(Self.bm25) AS rank
                        FROM memories_fts
                        JOIN memories_rank_fields r ON r.rowid = memories_fts.rowid \(tagsJoin)
                        WHERE \(whereClause) ORDER BY rank LIMIT ?
                        """,
                        [expression] + arguments + [limit])
                }
                return found
            }
            // Without the phrases most memories hold, when what remains still matches enough:
            // the memories only those phrases matched would have ranked after all of these.
            let floor = min(limit, Self.weightedMatchFloor)
            let weighted = try Self.weightedPhrases(phrases, userID: filter.userID, floor: floor, db: db)
            if weighted.count < phrases.count {
                let found = try ranked(weighted.joined(separator: " OR "))
                if found.count >= floor { return found }
            }
            return try ranked(phrases.joined(separator: " OR "))
        }
    }

    /// BM25 with k1 = 1.2 and b = 0.9 (FTS5's `bm25()` fixes b at 0.75). A stronger length
    /// normalisation: memories run from a few words to a long chat turn, and a long one that names
    /// a query word in passing should not outrank a short one about it. In grids of k1 0.6-2 by b
    /// 0.3-0.95 on both evaluation files (and k1 up to 3, b up to 1, on the visible one), b 0.9 lifted
    /// turn recall@1 and @5 on both and lost nothing at @10 or @20 or in any category at @10, in a
    /// flat region (BENCHMARKS.md, "BM25's b").
    static let bm25 = "\(FTS5BM25.name)(memories_fts, 'memories_fts', 1.2, 0.9)"

    /// Lexical searches for at most this many matches rank in the full-text index before joining rows.
    static let shortlistedMatchLimit = 1000

    /// How many matches the weighted phrases alone must find to stand for the whole query: with
    /// search's reciprocal rank fusion (k = 15), a lexical rank past 200 adds under a tenth of
    /// what the first adds.
    static let weightedMatchFloor = 200

    /// The query's phrases that carry BM25 weight: a phrase held by at least half of the indexed
    /// memories is left out while another remains, because BM25 as search computes it
    /// (``FTS5BM25``, with FTS5's inverse document frequency) gives it an inverse document
    /// frequency of 1e-6 (`log((N - n + 0.5) / (n + 0.5))` is not positive, and is clamped, whatever
    /// k1 and b are; Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and
    /// Beyond", 2009, for the formula). Leaving it out changes no score by more than a few
    /// millionths (1e-6 times at most k1 + 1 per phrase), so only memories whose scores are that
    /// close can change places, but the memories that only it matches
    /// (thousands, for a word most memories hold) are neither scored nor read. Each phrase's
    /// document count is FTS5's own (a count over its doclist, so stemming is FTS5's); `N` is
    /// bounded above by the largest rowid, which can only keep a phrase that could have gone.
    /// Both count every user's memories, as FTS5's own inverse document frequency does.
    /// With a single phrase, or when every phrase is that common, all are kept.
    ///
    /// Leaving them out still changes which memories match, and reciprocal rank fusion credits a
    /// lexical rank whatever its score, so ``lexicalMatches(terms:filter:limit:)`` uses the
    /// weighted phrases alone only when they match at least ``weightedMatchFloor`` memories (or
    /// all that were asked for): the memories left out would have ranked after all of those.
    /// A user with fewer than `floor` memories (a small user in a large shared database) can never
    /// reach it: their phrases are all kept without being counted.
    static func weightedPhrases(_ phrases: [String], userID: String, floor: Int, db: Database) throws -> [String] {
        guard phrases.count > 1 else { return phrases }
        let owned = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM memories WHERE user_id = ? LIMIT ?)"),
            arguments: [userID, floor]) ?? 0
        guard owned >= floor else { return phrases }
        let indexed = try Int.fetchOne(db.cachedStatement(sql: "SELECT max(rowid) FROM memories")) ?? 0
        // Counting stops at half: past it the phrase goes whatever the rest of its doclist holds.
        let half = (indexed + 1) / 2
        let count = try db.cachedStatement(
            sql: "SELECT count(*) FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)")
        let weighted = try phrases.filter { phrase in
            2 * (try Int.fetchOne(count, arguments: [phrase, half]) ?? 0) < indexed
        }
        return weighted.isEmpty ? phrases : weighted
    }

    package func changeSequence(userID: String) async throws -> Int64 {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM user_sequences WHERE user_id = ?", arguments: [userID]) ?? 0
        }
    }

    package func indexChanges(userID: String, after sequence: Int64) async throws -> [IndexChange] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            var changes = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, change_seq, session_id, project_id, memory_type, importance, tags, created_at, embedding,
                        superseded_by IS NOT NULL AS superseded
                    FROM memories WHERE user_id = ? AND change_seq > ?
                    """,
                arguments: [userID, sequence]
            ).map { row -> IndexChange in
                let id = try Self.uuid(row["id"])
                let vector = (row["embedding"] as Data?).flatMap { VectorBytes.decode($0) }
                return IndexChange(
                    id: id, sequence: row["change_seq"],
                    entry: try vector.map { vector in
                        IndexedMemory(
                            id: id, sessionID: try Self.uuid(row["session_id"]), projectID: row["project_id"],
                            memoryType: MemoryType(rawValue: row["memory_type"]) ?? .fact, importance: row["importance"],
                            tags: try JSONText.decodeStrings(row["tags"]),
                            createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]), vector: vector,
                            isSuperseded: row["superseded"])
                    })
            }
            changes += try Row.fetchAll(
                db, sql: "SELECT id, change_seq FROM memory_tombstones WHERE user_id = ? AND change_seq > ?",
                arguments: [userID, sequence]
            ).map { row in IndexChange(id: try Self.uuid(row["id"]), sequence: row["change_seq"], entry: nil) }
            return changes.sorted { $0.sequence < $1.sequence }
        }
    }

    /// The SQL conditions of a search filter on columns of memories (or memories_rank_fields) under
    /// `alias`; the tag condition reads `tags` of memories under `tagsAlias`.
    static func conditions(for filter: SearchFilter, alias: String, tagsAlias: String) -> ([String], StatementArguments) {
        var clauses = ["\(alias).user_id = ?"]
        var arguments: StatementArguments = [filter.userID]
        if let projectID = filter.projectID {
            clauses.append("\(alias).project_id = ?")
            _ = arguments.append(contentsOf: [projectID])
        }
        if let sessionID = filter.sessionID {
            clauses.append("\(alias).session_id = ?")
            _ = arguments.append(contentsOf: [sessionID.lowercased])
        }
        if !filter.memoryTypes.isEmpty {
            let types = filter.memoryTypes.map(\.rawValue).sorted()
            clauses.append("\(alias).memory_type IN (\(types.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(types))
        }
        if let minImportance = filter.minImportance {
            clauses.append("\(alias).importance >= ?")
            _ = arguments.append(contentsOf: [minImportance])
        }
        if !filter.tags.isEmpty {
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(\(tagsAlias).tags) WHERE json_each.value IN (\(filter.tags.map { _ in "?" }.joined(separator: ", "))))")
            _ = arguments.append(contentsOf: StatementArguments(filter.tags))
        }
        if let createdAfter = filter.createdAfter {
            clauses.append("\(alias).created_at >= ?")
            _ = arguments.append(contentsOf: [createdAfter.microsecondsSinceEpoch])
        }
        return (clauses, arguments)
    }

    /// Moves the user's change sequence on inside the current write transaction.
}
