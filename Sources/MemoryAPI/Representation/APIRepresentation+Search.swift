package import MemoryCore
package import MemoryService

extension APIRepresentation {
    /// The `POST /api/memory/memories/search` response (also MCP `search_memories`'s structured
    /// content): `results` (Memory + `score`, + `score_breakdown` when explained), `total`,
    /// `query`, `limit`, `offset`, `mode` (the one used), `search_time_ms`, and `notice` when hybrid
    /// search answered lexically because the embedder failed. Scores are rounded to 6 places.
    package static func search(_ response: SearchResponse, now: Timestamp = .now()) -> JSONValue {
        var object: JSONObject = [
            "results": .array(response.results.map { result in
                var extra: JSONObject = ["score": .double(rounded(result.score))]
                if let breakdown = result.breakdown { extra["score_breakdown"] = Self.breakdown(breakdown) }
                return memory(result.memory, now: now, extra: extra)
            }),
            "total": .int(Int64(response.total)),
            "query": .string(response.query),
            "limit": .int(Int64(response.limit)),
            "offset": .int(Int64(response.offset)),
            "mode": .string(response.mode.rawValue),
            "search_time_ms": .double(milliseconds(response.searchTime)),
        ]
        if let notice = response.notice { object["notice"] = .string(notice) }
        if let (window, phrase) = response.timeWindow {
            object["time_window"] = .object([
                "start": .string(window.start.iso8601), "end": .string(window.end.iso8601),
                "phrase": phrase.map(JSONValue.string) ?? .null,
            ])
        }
        return .object(object)
    }

    /// The `/api/memory/vector/*` response: `results: [{memory, similarity}]`, `total`, plus `extra`
    /// (`query` or `memory_id`).
    package static func similarity(
        _ found: (results: [(memory: Memory, similarity: Double)], total: Int), extra: JSONObject, now: Timestamp = .now()
    ) -> JSONValue {
        var object: JSONObject = [
            "results": .array(found.results.map { result in
                .object(["memory": memory(result.memory, now: now), "similarity": .double(rounded(result.similarity))])
            }),
            "total": .int(Int64(found.total)),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    /// How a search score was made: each component's rank and score, the fused score, the
    /// importance/recency/supersession/time-window adjustment, the supersession factor within it
    /// (with the reason when it is not 1), the time window's factor and the final score.
    package static func breakdown(_ breakdown: ScoreBreakdown) -> JSONValue {
        .object([
            "supersession": .double(rounded(breakdown.supersession)),
            "time_window": .double(rounded(breakdown.timeWindow)),
            "supersession_reason": breakdown.supersession < 1
                ? "A newer memory supersedes this one (see superseded_by); it ranks below its replacement." : .null,
            "lexical_rank": breakdown.lexicalRank.map { .int(Int64($0)) } ?? .null,
            "lexical_score": breakdown.lexicalScore.map { .double(rounded($0)) } ?? .null,
            "semantic_rank": breakdown.semanticRank.map { .int(Int64($0)) } ?? .null,
            "similarity": breakdown.similarity.map { .double(rounded($0)) } ?? .null,
            "fused": .double(rounded(breakdown.fused)),
            "adjustment": .double(rounded(breakdown.adjustment)),
            "final": .double(rounded(breakdown.final)),
        ])
    }

    /// A score as the API shows it: 6 decimal places.
    static func rounded(_ value: Double) -> Double {
        (value * 1_000_000).rounded() / 1_000_000
    }

    /// A duration in milliseconds with microsecond precision.
    static func milliseconds(_ duration: Duration) -> Double {
        (duration.seconds * 1_000_000).rounded() / 1000
    }
}
