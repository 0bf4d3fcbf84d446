import Foundation
import ProcessTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Embeddings
import MemoryCore
import MemoryHTTP
import MemoryService
import NIOCore
import Testing

/// A live server on a free port, and a real HTTP client on it, for every deployment under test:
/// a fresh embedded database always, and PostgreSQL + Redis when `make test` provides them.
struct LiveAPI {
    static let postgresURL = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_POSTGRES_URL"].map {
        // This target has a database of its own, so cleanup tests stay apart from other targets.
        $0.replacingOccurrences(of: "/memoryhub_store", with: "/memoryhub_http")
    }
    static let redisURL = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_REDIS_URL"]

    /// The deployments each HTTP test runs against.
    static var deployments: [Deployment] {
        get throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-http-\(UUID().uuidString)")
            var deployments = [Deployment(databaseURL: folder.path + "/memoryhub.sqlite")]
            if let postgresURL, let redisURL {
                var production = Deployment(databaseURL: try freshDatabase(postgresURL), redisURL: redisURL)
                production.postgresPoolSize = 4
                deployments.append(production)
            }
            return deployments
        }
    }

    /// A new, empty database on the test cluster, so that each test sees only its own users (as
    /// with a fresh SQLite file) and a cleanup in one test cannot touch another's sessions.
    static func freshDatabase(_ url: String) throws -> String {
        let name = "http_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let bin = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_PG_BIN"].map { $0 + "/psql" } ?? "/usr/bin/psql"
        guard try SpawnedProcess.run(bin, [url, "-q", "-c", "CREATE DATABASE \(name)"]).status == 0 else { throw CancellationError() }
        return url.replacingOccurrences(of: "/memoryhub_http", with: "/\(name)")
    }

    /// The built-in model from MEMORYHUB_MODEL_DIR (which `make test` sets), loaded once; nil
    /// (with the reason printed) when it is not there.
    static let model: MiniLMEmbedder? = {
        guard let directory = ProcessInfo.processInfo.environment["MEMORYHUB_MODEL_DIR"], EmbeddingModel.isPresent(at: directory) else {
            print("MEMORYHUB_MODEL_DIR names no model: semantic HTTP tests are skipped (make test installs it)")
            return nil
        }
        return try? MiniLMEmbedder(modelDirectory: directory)
    }()

    /// Runs `body` against a live server over a real socket, once per deployment.
    static func run(
        bodyLimit: Int = 1 << 20, embedder: (any Embedder)? = nil, auth: MemoryHTTPServer.AuthMode = .local,
        rateLimit: MemoryHTTPServer.RateLimit? = nil, adminKey: String? = nil, service: ServiceConfiguration? = nil,
        _ body: @Sendable (APIClient, MemoryHubServices) async throws -> Void
    ) async throws {
        for var configured in try deployments {
            configured.adminKey = adminKey
            if let service { configured.service = service }
            let deployment = configured
            let services = try MemoryHubServices.open(deployment, embedder: embedder, logger: Logger(label: "test"))
            try await services.withBackgroundServices { services in
                let configuration = MemoryHTTPServer.Configuration(port: 0, bodyLimit: bodyLimit, auth: auth, rateLimit: rateLimit)
                let router = MemoryHTTPServer.router(services: services, configuration: configuration, metrics: nil)
                let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                try await app.test(.live) { client in
                    try await body(APIClient(client: client, deployment: deployment.isPostgres ? "postgres+redis" : "sqlite"), services)
                }
            }
        }
    }
}

/// A JSON response as a test sees it.
struct APIResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: JSONValue? { try? JSONParser.parse(text) }
    var object: JSONObject { json?.objectValue ?? [:] }
    var array: [JSONValue] { json?.arrayValue ?? [] }
    subscript(_ key: String) -> JSONValue? { object[key] }
    var code: String? { object["code"]?.stringValue }
    var id: String { object["id"]?.stringValue ?? "" }
    var totalCount: Int? { headers[HTTPField.Name("X-Total-Count")!].flatMap(Int.init) }
}

struct APIClient: Sendable {
    let client: any TestClientProtocol
    /// Which deployment answers, for failure messages.
    let deployment: String

    func send(
        _ method: HTTPRequest.Method, _ path: String, json: JSONValue? = nil, raw: String? = nil, user: String? = nil, key: String? = nil
    ) async throws -> APIResponse {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(bytes: JSONWriter.bytes(json)) }
        if let raw { body = ByteBuffer(string: raw) }
        if body != nil { headers[.contentType] = "application/json" }
        if let user { headers[HTTPField.Name("X-User-ID")!] = user }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
        return APIResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func get(_ path: String, user: String? = nil, key: String? = nil) async throws -> APIResponse { try await send(.get, path, user: user, key: key) }
    func post(_ path: String, _ json: JSONValue = [:], user: String? = nil, key: String? = nil) async throws -> APIResponse {
        try await send(.post, path, json: json, user: user, key: key)
    }
    func patch(_ path: String, _ json: JSONValue, user: String? = nil, key: String? = nil) async throws -> APIResponse {
        try await send(.patch, path, json: json, user: user, key: key)
    }
    func delete(_ path: String, user: String? = nil, key: String? = nil) async throws -> APIResponse { try await send(.delete, path, user: user, key: key) }

    /// Starts a session and returns its id.
    func startSession(_ user: String = "alice", _ extra: JSONObject = [:]) async throws -> String {
        var body: JSONObject = ["user_id": .string(user), "auto_link": false]
        for (key, value) in extra { body[key] = value }
        let response = try await post("/api/memory/session/start", .object(body))
        #expect(response.status == .created, "\(response.text)")
        return response.id
    }

    /// Creates a memory and returns its id.
    func createMemory(_ session: String, _ content: String = "We deploy with make run", type: String = "fact", _ extra: JSONObject = [:]) async throws -> String {
        var body: JSONObject = ["session_id": .string(session), "content": .string(content), "memory_type": .string(type)]
        for (key, value) in extra { body[key] = value }
        let response = try await post("/api/memory/memories", .object(body))
        #expect(response.status == .created, "\(response.text)")
        return response.id
    }
}

/// Checks an error response: status, JSON body with `detail` and `code`, and the field at fault.
func expectError(_ response: APIResponse, _ status: HTTPResponse.Status, code: String? = nil, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    #expect(response["detail"]?.stringValue?.isEmpty == false, "no detail in \(response.text)", sourceLocation: sourceLocation)
    if let code { #expect(response.code == code, "\(response.text)", sourceLocation: sourceLocation) }
    if let field { #expect(response["field"]?.stringValue == field, "\(response.text)", sourceLocation: sourceLocation) }
}
