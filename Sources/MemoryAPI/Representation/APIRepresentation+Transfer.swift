package import MemoryCore
package import MemoryService

extension APIRepresentation {
    /// An import's report: `lines, complete, aborted, sessions: {inserted, updated, unchanged,
    /// refused}, memories: {…}, vectors_imported, queued_for_embedding, counts_reconciled,
    /// error_count, errors: [{line, code, field?, detail}]` (the first 100).
    package static func importReport(_ report: TransferManager.ImportReport) -> JSONValue {
        func tally(_ tally: TransferManager.Tally) -> JSONValue {
            .object([
                "inserted": .int(Int64(tally.inserted)), "updated": .int(Int64(tally.updated)),
                "unchanged": .int(Int64(tally.unchanged)), "refused": .int(Int64(tally.refused)),
            ])
        }
        return .object([
            "lines": .int(Int64(report.lines)),
            "complete": .bool(report.complete),
            "aborted": .bool(report.aborted),
            "sessions": tally(report.sessions),
            "memories": tally(report.memories),
            "vectors_imported": .int(Int64(report.vectorsImported)),
            "queued_for_embedding": .int(Int64(report.queuedForEmbedding)),
            "counts_reconciled": .int(Int64(report.countsReconciled)),
            "error_count": .int(Int64(report.errorCount)),
            "errors": .array(
                report.errors.map { item in
                    guard case .object(var object) = error(item.error) else { return .null }
                    object["line"] = .int(Int64(item.line))
                    return .object(object)
                }),
        ])
    }

    /// An export's summary: `sessions, memories, embeddings`.
    package static func exportSummary(_ summary: TransferManager.ExportSummary) -> JSONValue {
        .object([
            "sessions": .int(Int64(summary.sessions)), "memories": .int(Int64(summary.memories)),
            "embeddings": .int(Int64(summary.embeddings)),
        ])
    }
}
