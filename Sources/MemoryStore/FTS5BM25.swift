import Foundation
package import GRDB
import GRDBSQLite

/// `memoryhub_bm25(fts_table, 'fts_table' [, k1, b])`, an FTS5 auxiliary function: the Okapi BM25
/// score of the current match, negated so that `ORDER BY` puts the best match first. With the
/// default k1 = 1.2 and b = 0.75 it is the number FTS5's built-in `bm25(fts_table)` gives (every
/// column weighted 1): bit for bit on x86-64; where the C compiler fuses a multiply and an add
/// (arm64), the two may differ in the last place. Unlike `bm25()` it takes the two parameters, and
/// it runs no statement per matching row.
///
/// FTS5's `bm25()` asks each row's length in tokens through `xColumnSize`, which steps a prepared
/// `SELECT sz FROM <table>_docsize WHERE id = ?` for every match: most of its time on a 10k table
/// (at the median, matching and asking lengths took 6.1 ms, all of `bm25()` 7.6 ms, matching alone
/// 0.9 ms; C against SQLite 3.40, BENCHMARKS.md, "BM25 without a statement per match"). This
/// function reads the same `_docsize`
/// row through one incremental blob handle moved from row to row (`sqlite3_blob_reopen`, a B-tree seek
/// without the statement), and takes everything else from FTS5's extension API:
///
/// - IDF of phrase i = ln((N − nᵢ + 0.5) / (nᵢ + 0.5)), or 1e-6 where that is not positive, where N is
///   `xRowCount` and nᵢ the rows `xQueryPhrase` visits; computed once per query;
/// - average length = `xColumnTotalSize(-1)` / N;
/// - score = Σᵢ IDFᵢ · (fᵢ · (k1 + 1) / (fᵢ + k1 · (1 − b + b · |D| / avgdl))), with fᵢ the phrase's
///   occurrences in the row (walked with `xPhraseFirst`/`xPhraseNext`) and |D| the row's tokens.
///
/// Source of the formula: S. Robertson and H. Zaragoza, "The Probabilistic Relevance Framework: BM25
/// and Beyond" (2009), with the IDF floor and constants of SQLite's FTS5 documentation ("The bm25()
/// function").
///
/// The second argument names the FTS5 table, whose `<name>_docsize` shadow table holds one SQLite
/// varint per column for each row. The first row's length is read both ways and must agree. When
/// they disagree (another table's name), or a row cannot be read (a table made with
/// `columnsize=0`, a missing row, a handle expired by a write on the same connection), the rest of
/// the query takes lengths from `xColumnSize`, as `bm25()` does. An error from the FTS5 API is the
/// statement's error, and so is a k1 or b that is not a finite number, a k1 below 0 or a b outside
/// 0...1. FTS5 keeps one state per function and query, so every call of the function in one
/// statement uses the parameters of the first row's call (give each statement one pair).
package enum FTS5BM25 {
    /// The SQL name of the function.
    package static let name = "memoryhub_bm25"

    /// Term frequency saturation when the call gives none (FTS5's).
    package static let defaultK1 = 1.2
    /// Length normalisation when the call gives none (FTS5's): 0 ignores a row's length, 1 divides
    /// its term frequencies by its length relative to the average.
    package static let defaultB = 0.75

    /// Registers the function on `db`'s connection (every connection of the store, in `prepareDatabase`).
    ///
    /// - Throws: `DatabaseError` if FTS5 refuses the registration.
    package static func register(_ db: Database) throws {
        let api = FTS5.api(db)
        let code = api.pointee.xCreateFunction(UnsafeMutablePointer(mutating: api), name, nil, function, nil)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot register \(name)")
        }
    }

    /// What one query computes once: the statistics, and the blob handle on the `_docsize` table.
    private final class QueryState {
        let idf: [Double]
        let averageLength: Double
        let k1: Double
        let b: Double
        let connection: OpaquePointer?
        let docsizeTable: String?
        var blob: OpaquePointer?
        /// False once the `_docsize` row could not be read, or the first one disagreed with
        /// `xColumnSize` (a name that is not this table's): every later row asks `xColumnSize`.
        var blobUsable: Bool
        /// Whether the first length read from the blob was checked against `xColumnSize`.
        var checked = false
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)

        init(idf: [Double], averageLength: Double, k1: Double, b: Double, connection: OpaquePointer?, docsizeTable: String?) {
            self.idf = idf
            self.averageLength = averageLength
            self.k1 = k1
            self.b = b
            self.connection = connection
            self.docsizeTable = docsizeTable
            self.blobUsable = connection != nil && docsizeTable != nil
        }

        deinit {
            close()
            buffer.deallocate()
        }

        /// Closes the blob handle; the rest of the query asks `xColumnSize`.
        func close() {
            if let blob {
                sqlite3_blob_close(blob)
            }
            blob = nil
            blobUsable = false
        }

        /// The row's length in tokens from its `_docsize` blob (the sum of its columns' varints) and
        /// the number of columns it holds, or nil.
        func storedLength(rowid: Int64) -> (tokens: Int64, columns: Int)? {
            guard blobUsable, let connection, let docsizeTable else { return nil }
            let code: Int32 =
                if let blob {
                    sqlite3_blob_reopen(blob, rowid)
                } else {
                    sqlite3_blob_open(connection, "main", docsizeTable, "sz", rowid, 0, &blob)
                }
            guard code == SQLITE_OK, let blob else {
                // A failed reopen leaves the handle aborted, and a failed open leaves none: the rest of
                // this query asks xColumnSize.
                close()
                return nil
            }
            let count = sqlite3_blob_bytes(blob)
            guard count > 0, count <= 32, sqlite3_blob_read(blob, buffer, count, 0) == SQLITE_OK else {
                close()
                return nil
            }
            var total: Int64 = 0
            var offset = 0
            var columns = 0
            while offset < Int(count) {
                guard let (value, length) = Self.varint(buffer + offset, available: Int(count) - offset) else {
                    close()
                    return nil
                }
                total += value
                offset += length
                columns += 1
            }
            return (total, columns)
        }

        /// One SQLite varint (big-endian groups of 7 bits, a set high bit continuing; the ninth byte
        /// whole): its value and its length in bytes, or nil when it runs past `available`.
        static func varint(_ bytes: UnsafePointer<UInt8>, available: Int) -> (Int64, Int)? {
            var value: UInt64 = 0
            for index in 0..<min(available, 9) {
                let byte = UInt64(bytes[index])
                if index == 8 {
                    return (Int64(bitPattern: (value << 8) | byte), 9)
                }
                value = (value << 7) | (byte & 0x7F)
                if byte & 0x80 == 0 {
                    return (Int64(bitPattern: value), index + 1)
                }
            }
            return nil
        }
    }

    private static let releaseState: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
        guard let pointer else { return }
        Unmanaged<QueryState>.fromOpaque(pointer).release()
    }

    private static let countRow: @convention(c) (UnsafePointer<Fts5ExtensionApi>?, OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { _, _, counter in
        counter?.assumingMemoryBound(to: Int64.self).pointee += 1
        return SQLITE_OK
    }

    private static let function: fts5_extension_function = { api, context, result, argumentCount, arguments in
        guard let api = api?.pointee, let result else { return }
        let state: QueryState
        if let existing = api.xGetAuxdata(context, 0) {
            state = Unmanaged<QueryState>.fromOpaque(existing).takeUnretainedValue()
        } else {
            // The parameters first: a NULL, text or infinite k1 or b is an error, not a silent 0.
            func parameter(_ index: Int, default value: Double) -> Double? {
                guard Int(argumentCount) > index else { return value }
                guard let argument = arguments?[index],
                      [SQLITE_INTEGER, SQLITE_FLOAT].contains(sqlite3_value_numeric_type(argument))
                else { return nil }
                let number = sqlite3_value_double(argument)
                return number.isFinite ? number : nil
            }
            guard let k1 = parameter(1, default: defaultK1), let b = parameter(2, default: defaultB), k1 >= 0, (0...1).contains(b) else {
                sqlite3_result_error(result, "\(name): k1 must be a finite number of at least 0 and b a number between 0 and 1", -1)
                return
            }
            var rows: Int64 = 0
            var tokens: Int64 = 0
            var code = api.xRowCount(context, &rows)
            if code == SQLITE_OK {
                code = api.xColumnTotalSize(context, -1, &tokens)
            }
            let phraseCount = Int(api.xPhraseCount(context))
            var idf: [Double] = []
            idf.reserveCapacity(phraseCount)
            for phrase in 0..<phraseCount where code == SQLITE_OK {
                var hits: Int64 = 0
                code = api.xQueryPhrase(context, Int32(phrase), &hits, countRow)
                let value = log((Double(rows) - Double(hits) + 0.5) / (Double(hits) + 0.5))
                idf.append(value > 0 ? value : 1e-6)
            }
            guard code == SQLITE_OK else {
                sqlite3_result_error_code(result, code)
                return
            }
            var docsizeTable: String?
            if argumentCount >= 1, let argument = arguments?[0], let name = sqlite3_value_text(argument) {
                docsizeTable = String(cString: name) + "_docsize"
            }
            let created = QueryState(
                idf: idf, averageLength: Double(tokens) / Double(max(rows, 1)), k1: k1, b: b,
                connection: sqlite3_context_db_handle(result), docsizeTable: docsizeTable)
            let pointer = Unmanaged.passRetained(created).toOpaque()
            code = api.xSetAuxdata(context, pointer, releaseState)
            guard code == SQLITE_OK else {
                sqlite3_result_error_code(result, code)
                return
            }
            state = created
        }

        let stored = state.storedLength(rowid: api.xRowid(context))
        let length: Int64
        if let stored, state.checked {
            length = stored.tokens
        } else {
            var columnLength: Int32 = 0
            let code = api.xColumnSize(context, -1, &columnLength)
            guard code == SQLITE_OK else {
                sqlite3_result_error_code(result, code)
                return
            }
            length = Int64(columnLength)
            if let stored {
                // The first row is read both ways: a table name that is not this FTS table's
                // (another table's sizes) turns the blob off instead of skewing every score.
                state.checked = true
                if stored.tokens != length || Int32(stored.columns) != api.xColumnCount(context) { state.close() }
            }
        }
        let (k1, b) = (state.k1, state.b)
        let normalisedLength = k1 * (1 - b + b * Double(length) / state.averageLength)
        var score = 0.0
        for phrase in state.idf.indices {
            var iterator = Fts5PhraseIter()
            var column: Int32 = 0
            var offset: Int32 = 0
            var frequency = 0.0
            let code = api.xPhraseFirst(context, Int32(phrase), &iterator, &column, &offset)
            guard code == SQLITE_OK else {
                sqlite3_result_error_code(result, code)
                return
            }
            while column >= 0 {
                frequency += 1
                api.xPhraseNext(context, &iterator, &column, &offset)
            }
            // Grouped as FTS5 groups it, so that the result is the same to the last bit.
            score += state.idf[phrase] * ((frequency * (k1 + 1.0)) / (frequency + normalisedLength))
        }
        sqlite3_result_double(result, -score)
    }
}
