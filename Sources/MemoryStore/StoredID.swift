import GRDB
import GRDBSQLite
import MemoryCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An id as the embedded store keeps it (36 characters of hex and dashes), decoded by GRDB's
/// statement fast path straight from SQLite's text: a search that reads 7,000 lexical matches
/// made and freed a `String` for every id only to parse it.
struct StoredID: DatabaseValueConvertible, StatementColumnConvertible {
    let value: UUID

    init(_ value: UUID) { self.value = value }

    /// Nil (a decoding error from GRDB) for NULL or for text that is not an id.
    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        guard let text = sqlite3_column_text(sqliteStatement, index),
              let id = UUID(hexUTF8: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(sqliteStatement, index))))
        else { return nil }
        value = id
    }

    var databaseValue: DatabaseValue { value.lowercased.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredID? {
        String.fromDatabaseValue(dbValue).flatMap { UUID(hexText: $0) }.map(StoredID.init)
    }
}

extension SQLiteMemoryStore {
    /// The id in column `index` of a row read from a cursor or fetched; throws for anything else.
    static func uuid(_ row: Row, at index: Int) throws -> UUID {
        do {
            return try row.decode(StoredID.self, atIndex: index).value
        } catch {
            throw MemoryHubError.internal("corrupt id in store: \(row[index] as DatabaseValue)")
        }
    }
}
