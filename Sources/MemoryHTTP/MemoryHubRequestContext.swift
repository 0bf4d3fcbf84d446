public import Hummingbird
public import NIOCore

/// The request context of every MemoryHub route: Hummingbird's core context and the connection's
/// channel, which `UnreadBodyMiddleware` closes when a response leaves a request body unread.
public struct MemoryHubRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters, limits).
    public var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    /// Made by Hummingbird for each request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
