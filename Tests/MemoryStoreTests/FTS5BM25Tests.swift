import Foundation
import GRDB
import MemoryStore
import Testing

/// `memoryhub_bm25` must give the number FTS5's own `bm25()` gives, on any query and table, or search
/// would rank differently than it did with the built-in function.
@Suite struct FTS5BM25Tests {
    /// Bit for bit on x86-64; where SQLite's C may fuse a multiply and an add (arm64), to rounding.
    static func same(_ ours: Double, _ builtIn: Double) -> Bool {
        #if arch(x86_64)
        ours == builtIn
        #else
        abs(ours - builtIn) <= 1e-12 * max(1, abs(builtIn))
        #endif
    }

    /// A table of `rows` documents over a small Zipf-like vocabulary (so most queries match many rows),
    /// some rewritten and some deleted after they were indexed.
    static func corpus(_ db: Database, table: String, options: String, rows: Int, words wordCount: ClosedRange<Int> = 1...40) throws {
        try db.execute(sql: "CREATE VIRTUAL TABLE \(table) USING fts5(\(options))")
        let columns = options.split(separator: ",").filter { !$0.contains("=") }.count
        var generator = SystemRandomNumberGenerator()
        let words = (0..<300).map { "w\($0)" } + ["running", "runs", "ran", "東京", "タワー"]
        func text() -> String {
            (0..<Int.random(in: wordCount, using: &generator)).map { _ in
                words[min(words.count - 1, Int(pow(Double(words.count), Double.random(in: 0..<1, using: &generator))) - 1)]
            }.joined(separator: " ")
        }
        let placeholders = Array(repeating: "?", count: columns).joined(separator: ", ")
        for rowid in 1...rows {
            try db.execute(sql: "INSERT INTO \(table) (rowid, \(columnNames(columns))) VALUES (?, \(placeholders))",
                           arguments: StatementArguments([rowid] + (0..<columns).map { _ in text() }))
        }
        for rowid in stride(from: 3, through: rows, by: 7) {
            try db.execute(sql: "UPDATE \(table) SET \(columnNames(columns).split(separator: ",")[0]) = ? WHERE rowid = ?", arguments: [text(), rowid])
        }
        try db.execute(sql: "DELETE FROM \(table) WHERE rowid % 11 = 0")
    }

    static func columnNames(_ count: Int) -> String {
        (0..<count).map { "c\($0)" }.joined(separator: ",")
    }

    static let queries = [
        "\"w0\"", "\"w1\" OR \"w2\"", "\"w0\" OR \"w5\" OR \"w40\" OR \"w299\"", "\"run\"",
        "\"w3\" AND \"w4\"", "\"w7 w8\"", "\"東 京\" OR \"w9\"", "\"w250\" OR \"w120\" OR \"w1\"",
    ]

    @Test(arguments: [
        "c0, tokenize = 'porter unicode61 remove_diacritics 2'",
        "c0, c1, tokenize = 'porter unicode61 remove_diacritics 2'",
        "c0, columnsize = 0",
    ])
    func givesExactlyTheBuiltInScore(options: String) throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try FTS5BM25.register(db)
            try Self.corpus(db, table: "docs", options: options, rows: 1500)
            var compared = 0
            for query in Self.queries {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT rowid, bm25(docs) AS builtIn, \(FTS5BM25.name)(docs, 'docs') AS ours
                    FROM docs WHERE docs MATCH ? ORDER BY rowid
                    """, arguments: [query])
                for row in rows {
                    let builtIn: Double = row["builtIn"]
                    let ours: Double = row["ours"]
                    #expect(Self.same(ours, builtIn), "\(query), row \(row["rowid"] as Int64): \(ours) vs \(builtIn)")
                }
                compared += rows.count
            }
            #expect(compared > 3000, "the queries match many rows")
        }
    }

    /// A write on the same connection to the row the blob handle is on expires the handle; the rows
    /// after it take their length from FTS5 and keep the exact score.
    @Test func aWriteDuringTheQueryKeepsTheScoreExact() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try FTS5BM25.register(db)
            try Self.corpus(db, table: "docs", options: "c0", rows: 300)
            let statement = try db.makeStatement(sql: """
                SELECT rowid, bm25(docs) AS builtIn, \(FTS5BM25.name)(docs, 'docs') AS ours
                FROM docs WHERE docs MATCH '"w0" OR "w1"' ORDER BY rowid
                """)
            let cursor = try Row.fetchCursor(statement)
            var seen = 0
            while let row = try cursor.next() {
                let builtIn: Double = row["builtIn"]
                let ours: Double = row["ours"]
                #expect(Self.same(ours, builtIn))
                seen += 1
                if seen == 5 {
                    // The current row's size changes under the open blob handle.
                    try db.execute(sql: "UPDATE docs SET c0 = c0 || ' w0 w0' WHERE rowid = ?", arguments: [row["rowid"] as Int64])
                }
            }
            #expect(seen > 20)
        }
    }

    /// Without the table name, with one that names nothing, or with another FTS table's name, the
    /// function still ranks exactly, from FTS5's sizes.
    @Test func aMissingOrWrongTableNameFallsBackToFTS5Sizes() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try FTS5BM25.register(db)
            try Self.corpus(db, table: "docs", options: "c0", rows: 200)
            // Rows of 45-60 words: never the length of a row of docs (1-40), so the first row's check
            // always sees the difference.
            try Self.corpus(db, table: "other", options: "c0", rows: 200, words: 45...60)
            for call in ["\(FTS5BM25.name)(docs)", "\(FTS5BM25.name)(docs, 'nothing')", "\(FTS5BM25.name)(docs, 'other')"] {
                let rows = try Row.fetchAll(db, sql: "SELECT bm25(docs) AS builtIn, \(call) AS ours FROM docs WHERE docs MATCH 'w1'")
                #expect(!rows.isEmpty)
                for row in rows {
                    #expect(Self.same(row["ours"], row["builtIn"]), "\(call)")
                }
            }
        }
    }

    /// With k1 and b given, the score is BM25's formula with them (lengths and counts known here);
    /// FTS5's own values given explicitly give `bm25()`; a b outside 0...1 is the statement's error.
    @Test func takesK1AndB() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try FTS5BM25.register(db)
            try db.execute(sql: "CREATE VIRTUAL TABLE docs USING fts5(c0)")
            // Lengths 1, 4, 2, 3, 5, 1 tokens (16 in all); "kiwi" in two rows, twice in the second.
            for (rowid, text) in [(1, "kiwi"), (2, "kiwi plum kiwi fig"), (3, "plum fig"), (4, "fig plum pear"),
                                  (5, "pear fig plum lime date"), (6, "lime")] {
                try db.execute(sql: "INSERT INTO docs (rowid, c0) VALUES (?, ?)", arguments: [rowid, text])
            }
            let (k1, b) = (2.0, 0.9)
            let idf = log((6 - 2 + 0.5) / (2 + 0.5))
            let average = 16.0 / 6
            func expected(tf: Double, length: Double) -> Double {
                -(idf * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + b * length / average))))
            }
            let scores = try Row.fetchAll(db, sql: "SELECT rowid, \(FTS5BM25.name)(docs, 'docs', 2.0, 0.9) AS s FROM docs WHERE docs MATCH 'kiwi' ORDER BY rowid")
            #expect(scores.count == 2)
            #expect(abs((scores[0]["s"] as Double) - expected(tf: 1, length: 1)) < 1e-12)
            #expect(abs((scores[1]["s"] as Double) - expected(tf: 2, length: 4)) < 1e-12)

            let explicit = try Row.fetchAll(db, sql: "SELECT bm25(docs) AS builtIn, \(FTS5BM25.name)(docs, 'docs', 1.2, 0.75) AS ours FROM docs WHERE docs MATCH 'fig OR plum'")
            #expect(explicit.count == 4)
            for row in explicit {
                #expect(Self.same(row["ours"], row["builtIn"]))
            }
            #expect(throws: DatabaseError.self) {
                try Row.fetchAll(db, sql: "SELECT \(FTS5BM25.name)(docs, 'docs', 1.2, 1.5) FROM docs WHERE docs MATCH 'kiwi'")
            }
        }
    }

    /// The point of the function: no statement per matching row. SQLite's statement trace sees
    /// FTS5's `_docsize` lookup run for rows under `bm25()` and not under `memoryhub_bm25`.
    @Test func readsLengthsWithoutAStatementPerRow() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try FTS5BM25.register(db)
            try Self.corpus(db, table: "docs", options: "c0", rows: 400)
            final class Count: @unchecked Sendable { var value = 0 }
            func docsizeLookups(_ sql: String) throws -> (rows: Int, lookups: Int) {
                let count = Count()
                db.trace(options: .statement) { event in
                    if case .statement(let statement) = event, statement.sql.contains("_docsize") { count.value += 1 }
                }
                defer { db.trace(options: .statement, nil) }
                let rows = try Row.fetchAll(db, sql: sql).count
                return (rows, count.value)
            }
            let builtIn = try docsizeLookups("SELECT bm25(docs) FROM docs WHERE docs MATCH 'w0 OR w1'")
            let ours = try docsizeLookups("SELECT \(FTS5BM25.name)(docs, 'docs') FROM docs WHERE docs MATCH 'w0 OR w1'")
            #expect(builtIn.rows > 100 && ours.rows == builtIn.rows)
            #expect(builtIn.lookups >= builtIn.rows, "bm25() runs FTS5's _docsize statement for every row")
            #expect(ours.lookups <= 1, "memoryhub_bm25 reads _docsize through its blob handle")
        }
    }

    /// A k1 or b that is not a finite number in range is the statement's error, never a silent 0.
    @Test(arguments: ["NULL, 0.75", "'abc', 0.75", "1.2, NULL", "1e999, 0.75", "-1, 0.75", "1.2, 1.5", "1.2, -0.1"])
    func refusesParametersOutOfRange(parameters: String) throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try FTS5BM25.register(db)
            try Self.corpus(db, table: "docs", options: "c0", rows: 20)
            let error = #expect(throws: DatabaseError.self) {
                try Row.fetchAll(db, sql: "SELECT \(FTS5BM25.name)(docs, 'docs', \(parameters)) FROM docs WHERE docs MATCH 'w0'")
            }
            #expect(error?.message?.contains("k1 must be") == true)
        }
    }
}
