import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import MemoryAPI
import MemoryCore
import MemoryService

/// Who may call, for every route but `/health` and `/ready` (API.md "Access").
///
/// A request presents a key as `Authorization: Bearer <key>` (hummingbird-auth reads it) or
/// `X-API-Key: <key>`. A valid key sets the request's caller; a presented key that is malformed,
/// unknown or revoked is 401 in every mode. Without a key, `local` mode trusts the request as one
/// person's and `required` mode answers 401. Every 401 carries `WWW-Authenticate: Bearer`. With a
/// rate limit, each key gets its own token bucket; past it, 429 with `Retry-After`. Each request
/// is logged at debug level with its key id and user, never the key.
struct AuthenticationMiddleware: AuthenticatorMiddleware {
    typealias Context = MemoryHubRequestContext
    typealias Identity = Caller

    let keys: KeyManager
    let mode: MemoryHTTPServer.AuthMode
    let limiter: RateLimiter?

    /// The caller the request's key names; nil when it presents none.
    func authenticate(request: Request, context: Context) async throws -> Caller? {
        guard let presented = request.headers.bearer?.token ?? Self.bearerAnyCase(request) ?? request.headers[.apiKey] else { return nil }
        // In local mode a client's own, non-MemoryHub credentials (KnowledgeHub clients send their
        // X-API-Key) are ignored as they were before keys existed; a MemoryHub key is checked.
        if mode == .local, !presented.hasPrefix(APIKey.prefix) { return nil }
        guard let key = try await keys.authenticate(presented) else { throw Unauthorized.invalidKey }
        return Caller(authority: key.isAdmin ? .admin : .user(key.userID), keyID: key.id)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        // Liveness and readiness probes are never refused, whatever credentials they carry.
        if path == "/health" || path == "/ready" { return try await next(request, context) }
        var context = context
        do {
            context.identity = try await authenticate(request: request, context: context)
        } catch Unauthorized.invalidKey {
            return Self.unauthorized("The API key is malformed, unknown or revoked.")
        }
        if context.identity == nil, mode == .required {
            return Self.unauthorized("This server needs an API key: send Authorization: Bearer <key> (or X-API-Key).")
        }
        if let limiter, let caller = context.identity, let keyID = caller.keyID, let wait = limiter.admit(keyID) {
            let seconds = max(1, Int(wait.seconds.rounded(.up)))
            var headers = HTTPFields()
            headers[.retryAfter] = String(seconds)
            return JSONResponse.make(
                .object([
                    "detail": .string("This API key sent more than \(Self.number(limiter.rate)) requests per second; retry after \(seconds) s."),
                    "code": "rate_limited",
                ]),
                status: .tooManyRequests, headers: headers)
        }
        guard context.logger.logLevel <= .debug else { return try await next(request, context) }
        // The request log (debug level): built only when it is written.
        if let caller = context.identity {
            context.logger[metadataKey: "memoryhub.key.id"] = .string(caller.keyID?.lowercased ?? "")
            if let user = caller.keyUser { context.logger[metadataKey: "memoryhub.user"] = .string(user) }
        }
        let response = try await next(request, context)
        context.logger.debug("request", metadata: [
            "memoryhub.method": .string(request.method.rawValue), "memoryhub.path": .string(path),
            "memoryhub.status": .stringConvertible(response.status.code),
            "memoryhub.caller": .string(context.identity.map(\.description) ?? (mode == .local ? "local" : "none")),
            "memoryhub.named_user": .string(request.headers[.userID] ?? request.uri.queryParameters.get("user_id").map { String($0) } ?? "-"),
        ])
        return response
    }

    private enum Unauthorized: Error { case invalidKey }

    /// The token of an `Authorization` header whose scheme is spelt in another case (`bearer`):
    /// RFC 9110 §11.1 makes the scheme case-insensitive.
    static func bearerAnyCase(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.count > 7, value.prefix(7).lowercased() == "bearer " else { return nil }
        let token = String(value.dropFirst(7)).trimmedWhitespace
        return token.isEmpty ? nil : token
    }

    static func unauthorized(_ detail: String) -> Response {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = #"Bearer realm="memoryhub""#
        return JSONResponse.make(.object(["detail": .string(detail), "code": "unauthorized"]), status: .unauthorized, headers: headers)
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
