import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService
import NIOCore
import Foundation

/// `GET /api/memory/admin/export` (NDJSON, streamed) and `POST /api/memory/admin/import` (an
/// export file as the body): README "Export and import". Admin callers act for any user (all
/// users when none is named); a user's key exports and imports only its own user's data.
struct TransferRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    /// The largest import body, in bytes.
    let importLimit: Int

    func register(on router: Router<Context>) {
        router.get("api/memory/admin/export", use: export)
        router.post("api/memory/admin/import", use: importFile)
    }

    /// Query: `user_id`, `project_id`, `since` (RFC 3339), `embeddings` (false).
    @Sendable func export(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        let user = try context.caller.actingUser(naming: try request.namedUser())
        var since: Timestamp?
        if let text = query.string("since") {
            guard let parsed = Timestamp(iso8601: text) else {
                throw MemoryHubError.invalidField("since", "since must be an RFC 3339 date-time such as 2026-11-01T00:00:00Z.")
            }
            since = parsed
        }
        let filter = TransferFilter(
            userID: user, projectID: try Validation.optionalIdentifier(query.string("project_id"), field: "project_id"), since: since)
        let embeddings = try query.bool("embeddings", default: false)
        let transfer = services.transfer
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"memoryhub-export.jsonl\""
        // A failure after the first bytes cuts the stream; the missing end line tells an importer.
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await transfer.export(filter, embeddings: embeddings) { chunk in
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }

    /// Query: `on_conflict` (skip | newer | replace), `on_error` (abort | skip). 200 with the
    /// report; 422 with it when bad lines aborted the import; 403 when a user key's file holds
    /// another user's records.
    @Sendable func importFile(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        var options = TransferManager.ImportOptions()
        options.onConflict = try query.enumeration("on_conflict", ConflictPolicy.self) ?? .skip
        options.onError = try query.enumeration("on_error", TransferManager.ErrorPolicy.self) ?? .abort
        options.scopeUser = context.caller.keyUser
        if let length = request.headers[.contentLength].flatMap(Int.init), length > importLimit {
            throw MemoryHubError.payloadTooLarge(limit: importLimit)
        }
        // The body goes to a file first: the import reads it twice (check, then write) in
        // bounded memory.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-import-\(UUID().uuidString).jsonl").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw MemoryHubError.internal("cannot create a temporary file for the import")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            var size = 0
            for try await buffer in request.body {
                size += buffer.readableBytes
                if size > importLimit { throw MemoryHubError.payloadTooLarge(limit: importLimit) }
                try handle.write(contentsOf: buffer.readableBytesView)
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let report = try await services.transfer.importFile(atPath: path, options: options)
        return JSONResponse.make(APIRepresentation.importReport(report), status: report.aborted ? .unprocessableContent : .ok)
    }
}
