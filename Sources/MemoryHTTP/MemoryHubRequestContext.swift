package import Hummingbird
import HummingbirdAuth
package import MemoryAPI
import MemoryCore
import NIOCore

/// The request context of every MemoryHub route: Hummingbird's core context, the caller an API
/// key authenticated (`identity`, set by `APIKeyAuthenticator`), and the connection's channel,
/// which `UnreadBodyMiddleware` closes when a response leaves a request body unread.
package struct MemoryHubRequestContext: AuthRequestContext, CallerContext {
    /// Hummingbird's per-request storage (logger, parameters, limits).
    package var coreContext: CoreRequestContextStorage
    /// The caller a key authenticated; nil when the request carried no key.
    package var identity: Caller?
    /// The connection the request arrived on.
    let channel: any Channel

    /// Made by Hummingbird for each request.
    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.channel = source.channel
    }

    /// Who sent the request: its key's caller, else a trusted local caller. In `required` auth
    /// mode `AuthenticationMiddleware` refuses keyless requests before any route runs.
    package var caller: Caller { identity ?? .local }

    /// The user a request about ids acts for: the one it names (header, query), checked against
    /// its key; nil ("the ids' owner") for local and admin callers that name none.
    func actingUser(_ request: Request) throws -> String? {
        try caller.actingUser(naming: try request.namedUser())
    }

    /// As `actingUser(_:)`, with the body's `user_id` as a third source.
    func actingUser(_ request: Request, body: JSONFields) throws -> String? {
        try caller.actingUser(naming: try request.namedUser(body: body))
    }

    /// The `{user_id}` of the path, which a header naming another user contradicts (403), and
    /// which a user key must own (403).
    func pathUser(_ request: Request) throws -> String {
        let named = try Caller.namedUser([
            ("path", try textParameter("user_id")), ("X-User-ID header", request.headers[.userID]),
        ])
        return try caller.requiredUser(naming: named)
    }
}
