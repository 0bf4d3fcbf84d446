import AsyncHTTPClient
import MemoryCore
import NIOCore
import NIOHTTP1
import Foundation

/// Sends a hook to a running `memoryhub serve` (``HookHTTPRoute``) and says what came of it, so
/// the `hook` command can print the answer, fall back to the database, or give up quietly.
package struct HookServerClient: Sendable {
    /// A server to ask.
    package struct Server: Sendable, Equatable {
        /// The server's root, e.g. `http://127.0.0.1:8080`; a trailing `/mcp` (the plugin's
        /// `server_url` names the MCP endpoint) or `/` is dropped.
        package var baseURL: String
        /// Sent as `Authorization: Bearer` when set.
        package var apiKey: String?
        /// Sent as `X-User-ID` when set (required by a server in `local` mode; a user key acts
        /// as its own user without it).
        package var userID: String?

        package init(baseURL: String, apiKey: String? = nil, userID: String? = nil) {
            var base = baseURL.trimmingCharacters(in: .whitespaces)
            while base.hasSuffix("/") { base.removeLast() }
            if base.hasSuffix("/mcp") { base.removeLast(4) }
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base
            self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
            self.userID = userID
        }
    }

    /// What came of asking.
    package enum Outcome: Sendable, Equatable {
        /// The server ran the hook: print `output`; log `warning` when set.
        case answered(output: String, warning: String?)
        /// The server never handled the request (nothing listens, the connection failed, the
        /// body was too large for it): the hook may handle the event itself.
        case unreachable(reason: String)
        /// The server answered with an error, or did not answer in time: give up quietly.
        case failed(reason: String)
    }

    package init() {}

    /// Posts `request` for `event` to `server`, waiting at most `timeout` for the whole exchange
    /// and `connectTimeout` for the connection (one attempt: a port that refuses is `unreachable`
    /// at once, not retried until the deadline).
    package func send(_ event: HookEvent, _ request: HookRequest, to server: Server, timeout: Duration, connectTimeout: Duration) async -> Outcome {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .milliseconds(max(1, Int64(connectTimeout / .milliseconds(1))))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let outcome = await send(event, request, to: server, timeout: timeout, client: client)
        try? await client.shutdown()
        return outcome
    }

    private func send(_ event: HookEvent, _ request: HookRequest, to server: Server, timeout: Duration, client: HTTPClient) async -> Outcome {
        var http = HTTPClientRequest(url: server.baseURL + "/" + HookHTTPRoute.path + "/" + event.rawValue)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: "application/json")
        if let key = server.apiKey { http.headers.add(name: "Authorization", value: "Bearer " + key) }
        if let user = server.userID { http.headers.add(name: "X-User-ID", value: user) }
        http.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(request.json)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            let milliseconds = max(1, Int64(timeout / .milliseconds(1)))
            response = try await client.execute(http, timeout: .milliseconds(milliseconds))
            body = try await response.body.collect(upTo: 4 << 20)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failed(reason: "the server at \(server.baseURL) did not answer within \(timeout)")
        } catch {
            return .unreachable(reason: "cannot reach the server at \(server.baseURL): \(error)")
        }
        let object = (try? JSONParser.parse(body.readableBytesView))?.objectValue ?? [:]
        switch response.status.code {
        case 200:
            guard let output = object["output"]?.stringValue else {
                return .failed(reason: "the server at \(server.baseURL) answered without an output")
            }
            return .answered(output: output, warning: object["warning"]?.stringValue)
        case 404, 405, 413:
            // An older server without the route, or a transcript larger than it takes.
            return .unreachable(reason: "the server at \(server.baseURL) did not take the hook (HTTP \(response.status.code))")
        default:
            let detail = object["detail"]?.stringValue ?? "no detail"
            return .failed(reason: "the server at \(server.baseURL) refused the hook (HTTP \(response.status.code)): \(detail)")
        }
    }
}
