/// The retrieval evaluation of DESIGN.md: eval cases (JSON lines) and the metrics computed from
/// each question's ranked turn ids. Pure: loading the store and asking the questions is the
/// caller's.
package enum RetrievalEvaluation {
    /// One user's history and the questions about it.
    package struct Case: Sendable {
        package var id: String
        package var sessions: [EvalSession]
        package var questions: [Question]
    }

    package struct EvalSession: Sendable {
        package var id: String
        package var startedAt: String?
        package var turns: [Turn]
    }

    package struct Turn: Sendable {
        package var id: String
        package var role: String?
        package var speaker: String?
        package var content: String
    }

    package struct Question: Sendable {
        package var id: String
        package var question: String
        package var askedAt: String?
        package var category: String?
        package var goldTurnIDs: [String]
        package var goldSessionIDs: [String]
    }

    /// The cut-offs reported.
    package static let cutoffs = [1, 5, 10, 20]

    /// Parses one JSON line; throws with the field that is wrong.
    package static func parseCase(_ line: String) throws -> Case {
        let value = try JSONParser.parse(line)
        guard let object = value.objectValue else { throw invalid("an eval case must be a JSON object") }
        let id = try string(object, "id")
        let sessions = try array(object, "sessions").map { value -> EvalSession in
            guard let session = value.objectValue else { throw invalid("each session must be an object") }
            let turns = try array(session, "turns").map { value -> Turn in
                guard let turn = value.objectValue else { throw invalid("each turn must be an object") }
                return Turn(
                    id: try string(turn, "id"), role: turn["role"]?.stringValue, speaker: turn["speaker"]?.stringValue,
                    content: try string(turn, "content"))
            }
            return EvalSession(id: try string(session, "id"), startedAt: session["started_at"]?.stringValue, turns: turns)
        }
        let questions = try array(object, "questions").map { value -> Question in
            guard let question = value.objectValue else { throw invalid("each question must be an object") }
            return Question(
                id: try string(question, "id"), question: try string(question, "question"),
                askedAt: question["asked_at"]?.stringValue, category: question["category"]?.stringValue,
                goldTurnIDs: (question["gold_turn_ids"]?.arrayValue ?? []).compactMap(\.stringValue),
                goldSessionIDs: (question["gold_session_ids"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        return Case(id: id, sessions: sessions, questions: questions)
    }

    /// A question's scores at one cut-off.
    package struct Scores: Sendable, Hashable {
        package var turnRecall = 0.0
        package var turnHit = 0.0
        package var sessionRecallAny = 0.0
        package var sessionRecallAll = 0.0

        package init() {}

        static func + (lhs: Scores, rhs: Scores) -> Scores {
            var sum = lhs
            sum.turnRecall += rhs.turnRecall
            sum.turnHit += rhs.turnHit
            sum.sessionRecallAny += rhs.sessionRecallAny
            sum.sessionRecallAll += rhs.sessionRecallAll
            return sum
        }

        func divided(by count: Int) -> Scores {
            guard count > 0 else { return self }
            var mean = self
            let n = Double(count)
            mean.turnRecall /= n
            mean.turnHit /= n
            mean.sessionRecallAny /= n
            mean.sessionRecallAll /= n
            return mean
        }
    }

    /// The scores of one question at each cut-off. `sessionOfTurn` maps turn ids to their session.
    package static func score(
        ranked: [String], question: Question, sessionOfTurn: [String: String], cutoffs: [Int] = cutoffs
    ) -> [Int: Scores] {
        let gold = Set(question.goldTurnIDs)
        let goldSessions = Set(question.goldSessionIDs)
        // Sessions ranked by the first appearance of one of their turns.
        var rankedSessions: [String] = []
        var seen = Set<String>()
        for turn in ranked {
            if let session = sessionOfTurn[turn], seen.insert(session).inserted { rankedSessions.append(session) }
        }
        var result: [Int: Scores] = [:]
        for k in cutoffs {
            var scores = Scores()
            let top = Set(ranked.prefix(k))
            let found = gold.intersection(top).count
            scores.turnRecall = gold.isEmpty ? 0 : Double(found) / Double(gold.count)
            scores.turnHit = found > 0 ? 1 : 0
            let topSessions = Set(rankedSessions.prefix(k))
            scores.sessionRecallAny = goldSessions.isDisjoint(with: topSessions) ? 0 : 1
            scores.sessionRecallAll = !goldSessions.isEmpty && goldSessions.isSubset(of: topSessions) ? 1 : 0
            result[k] = scores
        }
        return result
    }

    /// Mean scores per cut-off, of all questions and per category.
    package struct Report: Sendable {
        package var questions = 0
        package var overall: [Int: Scores] = [:]
        package var byCategory: [String: (count: Int, scores: [Int: Scores])] = [:]

        package init() {}

        package mutating func add(_ scores: [Int: Scores], category: String?) {
            questions += 1
            for (k, value) in scores { overall[k] = (overall[k] ?? Scores()) + value }
            let key = category ?? "uncategorized"
            var entry = byCategory[key] ?? (0, [:])
            entry.count += 1
            for (k, value) in scores { entry.scores[k] = (entry.scores[k] ?? Scores()) + value }
            byCategory[key] = entry
        }

        /// Sums turned into means.
        package func means() -> (overall: [Int: Scores], byCategory: [String: (count: Int, scores: [Int: Scores])]) {
            let overall = self.overall.mapValues { $0.divided(by: questions) }
            let categories = byCategory.mapValues { entry in (entry.count, entry.scores.mapValues { $0.divided(by: entry.count) }) }
            return (overall, categories)
        }
    }

    private static func string(_ object: JSONObject, _ field: String) throws -> String {
        guard let text = object[field]?.stringValue else { throw invalid("\(field) must be a string") }
        return text
    }

    private static func array(_ object: JSONObject, _ field: String) throws -> [JSONValue] {
        guard let items = object[field]?.arrayValue else { throw invalid("\(field) must be an array") }
        return items
    }

    private static func invalid(_ detail: String) -> MemoryHubError {
        MemoryHubError.malformed("Invalid eval case: \(detail).")
    }
}
