package import Hummingbird
package import Logging
import MemoryCore
package import MemoryAPI
package import MemoryService
import NIOCore
import HTTPTypes
import Foundation

/// How `POST /api/memory/hooks/{event}` is served.
package struct HookHTTPConfiguration: Sendable {
    /// Largest request body in bytes: a capture event carries the transcript's turns, so this is
    /// larger than the REST API's limit. A hook whose body is larger handles the event itself.
    package var bodyLimit: Int = 32 << 20
    /// Where the per-conversation locks live: the folder the hook processes use, so a hook that
    /// falls back to the database and the server never capture the same turn twice.
    package var lockFolder: String

    /// The defaults above, with any value given here instead.
    package init(lockFolder: String, bodyLimit: Int? = nil) {
        self.lockFolder = lockFolder
        if let bodyLimit { self.bodyLimit = bodyLimit }
    }
}

/// `POST /api/memory/hooks/{event}`: a Claude Code hook answered by `memoryhub serve`, with its
/// warm search (the embedding model and vector index loaded: hybrid search for prompts) and its
/// one SQLite writer. The body is a ``HookRequest``; the answer is
/// `{"output": "<what the hook prints>", "warning": "<why part is missing>"}` (`warning` only
/// when the hook could do part of its job), so a hook prints the same through a server as
/// without one: both run ``ClaudeCodeHooks``.
///
/// The user is the caller's, by the REST API's rule: an API key's user (a user key naming
/// another user in `X-User-ID` is 403), or in `local` mode the `X-User-ID` header (422 without
/// one). The server never reads a transcript path the request names: the capture events store
/// only the `transcript_turns` the hook process sent.
package struct HookHTTPRoute: Sendable {
    let services: MemoryHubServices
    let configuration: HookHTTPConfiguration
    let logger: Logger

    package init(services: MemoryHubServices, configuration: HookHTTPConfiguration, logger: Logger) {
        self.services = services
        self.configuration = configuration
        self.logger = logger
    }

    /// The route's path below the server's root, `{event}` being a ``HookEvent`` raw value.
    package static let path = "api/memory/hooks"

    /// Adds `POST api/memory/hooks/{event}` to the router.
    package func register<Context: Hummingbird.RequestContext & CallerContext>(on router: Router<Context>) {
        router.post(RouterPath(Self.path + "/{event}")) { request, context in try await self.post(request, context: context) }
    }

    private func post<Context: Hummingbird.RequestContext & CallerContext>(_ request: Request, context: Context) async throws -> Response {
        let name = context.parameters.get("event") ?? ""
        guard let event = HookEvent(rawValue: name) else {
            throw MemoryHubError.invalidField(
                "event", "Unknown hook event '\(name)'; expected one of \(HookEvent.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let named = try Caller.namedUser([("X-User-ID header", request.headers[Self.userHeader])])
        let user = try context.caller.requiredUser(naming: named)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.bodyLimit {
            throw MemoryHubError.payloadTooLarge(limit: configuration.bodyLimit)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.bodyLimit)
        } catch is NIOTooManyBytesError {
            throw MemoryHubError.payloadTooLarge(limit: configuration.bodyLimit)
        }
        let hookRequest: HookRequest
        do {
            hookRequest = try HookRequest.parse(body.readableBytesView)
        } catch let error as MemoryHubError {
            throw error
        } catch {
            throw MemoryHubError.malformed("The request body is not valid JSON.")
        }
        var hookConfiguration = ClaudeCodeHooks.Configuration(
            userID: user, projectID: hookRequest.projectID, lockFolder: configuration.lockFolder, homeDirectory: "/nonexistent")
        hookConfiguration.readsTranscriptFiles = false
        hookConfiguration.contextTokens = hookRequest.contextTokens
        hookConfiguration.promptTokens = hookRequest.promptTokens
        hookConfiguration.injectContext = hookRequest.injectContext
        let hooks = ClaudeCodeHooks(services: services, configuration: hookConfiguration, logger: logger)
        var answer: JSONObject
        do {
            let output = try await hooks.handle(event, input: HookInput(object: hookRequest.input), transcriptTurns: hookRequest.transcriptTurns)
            answer = ["output": .string(output)]
        } catch let partial as PartialOutput {
            answer = ["output": .string(partial.output), "warning": .string(Self.describe(partial.error))]
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(answer)))))
    }

    static let userHeader = HTTPField.Name("X-User-ID")!

    static func describe(_ error: any Error) -> String {
        if let error = error as? MemoryHubError { return error.description }
        return "\(type(of: error))"
    }
}
