package import Foundation
package import MemoryAPI

/// How the web pages are served.
package struct PagesConfiguration: Sendable {
    /// How a person signs in.
    package enum SignIn: String, Sendable {
        /// One person on loopback: the pages act for a user id typed on the sign-in page, without a key.
        case chooseUser
        /// An API key, checked once, then a signed cookie that names the key by id.
        case apiKey
    }

    /// How a person signs in; `apiKey` whenever the API needs keys.
    package var signIn: SignIn = .chooseUser
    /// The key that signs page cookies (HMAC-SHA256), at least 32 bytes. Replicas behind one
    /// load balancer need the same secret, or a cookie from one is refused by the others; nil
    /// draws a random one, so signed-in pages end when the process restarts.
    package var secret: [UInt8]?
    /// How long a sign-in lasts before the person signs in again.
    package var sessionLifetime: Duration = .seconds(8 * 3600)
    /// Largest form body in bytes.
    package var bodyLimit: Int = 1 << 20
    /// The folder holding `Templates/` and `Static/`; nil looks for the module's resource bundle
    /// beside the running program.
    package var resources: URL?
    /// The Prometheus text of `/metrics`, for the request rates on the status page; nil leaves
    /// them out.
    package var metricsText: (@Sendable () -> String)?
    /// The API's per-key rate limiter (`MemoryHTTPServer.Configuration.limiter`): a signed-in
    /// key's pages draw from the same bucket as its API calls; nil for no limit.
    package var limiter: RateLimiter?

    /// The defaults above, with any value given here instead.
    package init(
        signIn: SignIn? = nil, secret: [UInt8]? = nil, bodyLimit: Int? = nil, metricsText: (@Sendable () -> String)? = nil,
        limiter: RateLimiter? = nil
    ) {
        self.limiter = limiter
        if let signIn { self.signIn = signIn }
        self.secret = secret
        if let bodyLimit { self.bodyLimit = bodyLimit }
        self.metricsText = metricsText
    }
}
