import HTTPTypes
import Hummingbird
import Logging
import MemoryAPI
import MemoryCore
import NIOCore

/// Turns every error into the JSON error body of DESIGN.md, `{"detail": ..., "code": ...}`, with
/// the status of its kind. Unexpected errors become a 500 whose detail says nothing internal; the
/// real error goes to the log.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as MemoryHubError {
            if error.kind == .internal || error.kind == .unavailable {
                context.logger.error("request failed", metadata: ["memoryhub.error": "\(String(reflecting: error))"])
            }
            return Self.response(for: error)
        } catch is NIOTooManyBytesError {
            return Self.response(for: .payloadTooLarge(limit: 0))
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : "http_\(error.status.code)"
            let detail = error.body ?? (error.status == .notFound ? "No such route." : error.status.reasonPhrase)
            return JSONResponse.make(.object(["detail": .string(detail), "code": .string(code)]), status: error.status)
        } catch {
            context.logger.error("unexpected error", metadata: ["memoryhub.error": "\(String(reflecting: error))"])
            return Self.response(for: .internal("\(error)"))
        }
    }

    static func response(for error: MemoryHubError) -> Response {
        JSONResponse.make(APIRepresentation.error(error), status: status(of: error.kind))
    }

    static func status(of kind: MemoryHubError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .malformedRequest: return .badRequest
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .payloadTooLarge: return .contentTooLarge
        case .invalidField: return .unprocessableContent
        case .unavailable: return .serviceUnavailable
        case .internal: return .internalServerError
        }
    }
}

/// JSON responses.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }

    static func list(_ items: [JSONValue], total: Int) -> Response {
        var headers = HTTPFields()
        headers[.totalCount] = String(total)
        return make(.array(items), headers: headers)
    }
}

