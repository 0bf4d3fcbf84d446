package import MemoryCore
import GRDB

extension MemoryStore {
    /// The first `limit` memories `filter` selects, in the order of `memories(matching:limit:offset:)`
    /// (newest first), without counting every match: for callers that need no total, such as the
    /// context's sections, whose count would read every memory of the project on each call.
    package func firstMemories(matching filter: MemoryFilter, limit: Int) async throws -> [Memory] {
        if let sqlite = self as? SQLiteMemoryStore { return try await sqlite.uncountedMemories(matching: filter, limit: limit) }
        return try await memories(matching: filter, limit: limit, offset: 0).items
    }
}

extension SQLiteMemoryStore {
    func uncountedMemories(matching filter: MemoryFilter, limit: Int) async throws -> [Memory] {
        try StoredTextCheck.check(filter)
        let (clauses, arguments) = Self.clauses(of: filter)
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM memories WHERE \(clauses.joined(separator: " AND ")) ORDER BY \(Self.memoryOrder) LIMIT ?",
                arguments: arguments + [max(0, limit)]
            ).map(Self.memory(from:))
        }
    }
}
