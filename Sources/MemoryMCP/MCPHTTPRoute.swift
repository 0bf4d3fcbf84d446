// The one file that bridges Hummingbird and the MCP SDK: both export `HTTPRequest`, `Server`,
// `Tool`, `Value` and `RequestContext`, so the SDK's names are qualified with `MCP.` here.
import HTTPTypes
package import Hummingbird
package import Logging
import MCP
import MemoryCore
package import MemoryAPI
package import MemoryService
import NIOCore
import Foundation

/// How `POST /mcp` is served.
package struct MCPHTTPConfiguration: Sendable {
    /// Browser origins allowed besides loopback ones (`http://localhost:*` and the like), e.g.
    /// `https://app.example.com`; `*` allows any origin (and any Host).
    package var allowedOrigins: [String] = []
    /// Host header values allowed besides loopback ones, e.g. `memoryhub.internal:8080`, for a
    /// server reached by name. Requests naming another Host get 421 (DNS-rebinding protection).
    package var allowedHosts: [String] = []
    /// Largest request body in bytes.
    package var bodyLimit: Int = 1 << 20
    /// Connection states (current session per `Mcp-Session-Id`) kept at most; the least recently
    /// used go first.
    package var maximumConnections: Int = 10_000
    /// What a tool result may hold at most (text plus structured content).
    package var resultBudget = ResultBudget()

    /// The defaults above, with any value given here instead.
    package init(allowedOrigins: [String]? = nil, allowedHosts: [String]? = nil, bodyLimit: Int? = nil, maximumConnections: Int? = nil) {
        if let allowedOrigins { self.allowedOrigins = allowedOrigins }
        if let allowedHosts { self.allowedHosts = allowedHosts }
        if let bodyLimit { self.bodyLimit = bodyLimit }
        if let maximumConnections { self.maximumConnections = maximumConnections }
    }
}

/// `POST /mcp`: MCP over streamable HTTP, answered with single JSON responses (no SSE streams).
///
/// Each request is handled by a fresh SDK server on a `StatelessHTTPServerTransport`, so clients
/// never share protocol state and their request ids cannot collide. What a client's calls share
/// (its current session) lives in an `MCPConnection` keyed by the `Mcp-Session-Id` this route
/// hands out on `initialize`; an unknown id (say, after a restart) is 404, so the client initializes
/// again. `DELETE /mcp` forgets a connection; `GET /mcp` (a server-to-client stream) is 405.
///
/// The user is the request's, by the REST API's rule: an API key's user, or in `local` mode the
/// `X-User-ID` header or `user_id` query parameter; the optional `X-Project-ID` header sets the
/// project.
package struct MCPHTTPRoute: Sendable {
    let services: MemoryHubServices
    let configuration: MCPHTTPConfiguration
    let logger: Logger
    let connections: MCPHTTPConnections
    let validation: StandardValidationPipeline

    package init(services: MemoryHubServices, configuration: MCPHTTPConfiguration, logger: Logger) {
        self.services = services
        self.configuration = configuration
        self.logger = logger
        self.connections = MCPHTTPConnections(capacity: configuration.maximumConnections)
        let origins: OriginValidator
        if configuration.allowedOrigins.contains("*") {
            origins = .disabled
        } else {
            let loopback = OriginValidator.localhost()
            origins = OriginValidator(
                allowedHosts: loopback.allowedHosts + configuration.allowedHosts + configuration.allowedOrigins.compactMap(Self.host(ofOrigin:)),
                allowedOrigins: loopback.allowedOrigins + configuration.allowedOrigins)
        }
        self.validation = StandardValidationPipeline(validators: [
            origins, AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator(),
        ])
    }

    /// Adds `POST`, `GET` and `DELETE` on `path` to the router.
    package func register<Context: Hummingbird.RequestContext & CallerContext>(on router: Router<Context>, path: String = "mcp") {
        router.post(RouterPath(path)) { request, context in try await self.post(request, context: context) }
        router.delete(RouterPath(path)) { request, context in try await self.delete(request, context: context) }
        router.get(RouterPath(path)) { _, _ in
            var headers = HTTPFields()
            headers[.allow] = "POST, DELETE"
            headers[.contentType] = "application/json"
            return Response(
                status: .methodNotAllowed, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: #"{"detail":"This server sends no server-to-client stream; POST JSON-RPC messages to it.","code":"method_not_allowed"}"#)))
        }
    }

    private func post<Context: Hummingbird.RequestContext & CallerContext>(_ request: Request, context: Context) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.bodyLimit)
        } catch is NIOTooManyBytesError {
            throw MemoryHubError.payloadTooLarge(limit: configuration.bodyLimit)
        }
        let bytes = Data(body.readableBytesView)
        let user = try Self.user(of: request, caller: context.caller)
        let project = request.headers[.projectID]
        let offered = request.headers[.mcpSessionID]
        var issued: String?
        let connection: MCPConnection
        if Self.isInitialize(bytes) {
            let id = UUID().uuidString.lowercased()
            connection = await connections.connection(id: id, user: user, project: project)
            issued = id
        } else if let offered {
            // An id this server does not know (it restarted, forgot the connection, or another
            // user presents it) is 404, so the client starts a new session (MCP, "Session Management").
            guard let known = await connections.existing(id: offered, user: user, project: project) else {
                return Self.unknownSession()
            }
            connection = known
        } else {
            connection = MCPConnection(userID: user, projectID: project)
        }

        let transport = StatelessHTTPServerTransport(validationPipeline: validation, logger: logger)
        let server = await MemoryMCPServer.makeServer(
            services: services, connection: connection, budget: configuration.resultBudget, logger: logger)
        try await server.start(transport: transport)
        let answer = await transport.handleRequest(
            MCP.HTTPRequest(method: "POST", headers: Self.headers(of: request), body: bytes, path: request.uri.path))
        await server.stop()

        var response = Self.response(answer)
        if let issued, answer.statusCode == 200 { response.headers[.mcpSessionID] = issued }
        return response
    }

    private func delete<Context: CallerContext>(_ request: Request, context: Context) async throws -> Response {
        if let id = request.headers[.mcpSessionID] {
            await connections.remove(id: id, user: try Self.user(of: request, caller: context.caller), project: request.headers[.projectID])
        }
        return Response(status: .ok)
    }

    /// The user the connection acts for: the one the request names (`X-User-ID`, `user_id`
    /// query parameter), as the caller's key allows; a user key that names none acts as its user.
    private static func user(of request: Request, caller: Caller) throws -> String? {
        let named = try Caller.namedUser([
            ("X-User-ID header", request.headers[.userID]), ("user_id parameter", request.uri.queryParameters.get("user_id")),
        ])
        return try caller.actingUser(naming: named)
    }

    /// The request's headers as the SDK reads them; HTTP/1.1's Host travels as the authority.
    private static func headers(of request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for field in request.headers {
            if let existing = headers[field.name.canonicalName] {
                headers[field.name.canonicalName] = existing + ", " + field.value
            } else {
                headers[field.name.canonicalName] = field.value
            }
        }
        if let authority = request.head.authority, headers["host"] == nil { headers["host"] = authority }
        return headers
    }

    private static func response(_ answer: MCP.HTTPResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = HTTPResponse.Status(code: answer.statusCode)
        switch answer {
        case .stream(let stream, _):
            let buffers = stream.map { ByteBuffer(bytes: $0) }
            return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: buffers))
        default:
            let data = answer.bodyData ?? Data()
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// 404 with a JSON-RPC error, for a request naming a session this server does not know.
    private static func unknownSession() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found: send initialize without Mcp-Session-Id to start a new one."}}"#
        return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func isInitialize(_ body: Data) -> Bool {
        guard let message = try? JSONParser.parse(body), case .object(let object) = message else { return false }
        return object["method"]?.stringValue == "initialize"
    }

    /// `https://app.example.com:8443` → `app.example.com:8443`; the Host a browser at that origin sends.
    static func host(ofOrigin origin: String) -> String? {
        guard let range = origin.range(of: "://") else { return nil }
        let rest = origin[range.upperBound...]
        let host = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return host.isEmpty || host == "*" ? nil : host
    }
}

/// The connection states of HTTP clients, by `Mcp-Session-Id` (and the user and project they
/// act for, so an id presented by another user names another connection). Bounded: the least
/// recently used state is dropped first; a client whose state was dropped simply starts again
/// with no current session.
actor MCPHTTPConnections {
    private struct Key: Hashable {
        let id: String
        let user: String?
        let project: String?
    }

    private let capacity: Int
    private var entries: [Key: (connection: MCPConnection, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func connection(id: String, user: String?, project: String?) -> MCPConnection {
        clock += 1
        let key = Key(id: id, user: user, project: project)
        if let entry = entries[key] {
            entries[key] = (entry.connection, clock)
            return entry.connection
        }
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries.removeValue(forKey: oldest)
        }
        let connection = MCPConnection(userID: user, projectID: project)
        entries[key] = (connection, clock)
        return connection
    }

    /// The connection with this id for this user and project, if the server still knows it.
    func existing(id: String, user: String?, project: String?) -> MCPConnection? {
        let key = Key(id: id, user: user, project: project)
        guard let entry = entries[key] else { return nil }
        clock += 1
        entries[key] = (entry.connection, clock)
        return entry.connection
    }

    func remove(id: String, user: String?, project: String?) {
        entries.removeValue(forKey: Key(id: id, user: user, project: project))
    }
}

extension HTTPField.Name {
    static let mcpSessionID = HTTPField.Name("Mcp-Session-Id")!
    /// The project an MCP-over-HTTP connection works in (optional).
    static let projectID = HTTPField.Name("X-Project-ID")!
    static let userID = HTTPField.Name("X-User-ID")!
}
