import Crypto
import Foundation

/// Who a browser signed in as, as its cookie says, and until when.
struct PageSessionClaim: Sendable, Equatable {
    /// What the cookie names.
    enum Subject: Sendable, Equatable {
        /// An API key, by id: the key is looked up (and must still be valid) on every request.
        case key(UUID)
        /// A user chosen on the sign-in page (`local` mode only).
        case user(String)
    }

    var subject: Subject
    /// Seconds since 1970 after which the cookie is refused.
    var expires: Int64
}

/// Signs and checks the page session cookie, and derives each session's form token.
///
/// A cookie is `v1.<k|u>.<subject, base64url>.<expiry, Unix seconds>.<HMAC-SHA256, base64url>`,
/// the MAC over everything before it, keyed by the server's secret: no state on the server, so
/// any replica with the same secret accepts it, and the raw API key is never in it. The form
/// token is an HMAC of the cookie value under the same key (with a different label), so it is
/// tied to one sign-in and unknown to another site.
struct PageSessionSigner: Sendable {
    private let key: SymmetricKey

    /// `secret` nil draws a random 256-bit key.
    init(secret: [UInt8]?) {
        key = secret.map { SymmetricKey(data: $0) } ?? SymmetricKey(size: .bits256)
    }

    /// The cookie value for `claim`.
    func cookieValue(for claim: PageSessionClaim) -> String {
        let subject: String
        switch claim.subject {
        case .key(let id): subject = "k." + Self.base64URL(Array(id.uuidString.lowercased().utf8))
        case .user(let user): subject = "u." + Self.base64URL(Array(user.utf8))
        }
        let payload = "v1.\(subject).\(claim.expires)"
        return payload + "." + Self.base64URL(mac("session", payload))
    }

    /// The claim of a cookie value whose signature holds and which has not expired at `now`
    /// (seconds since 1970); nil otherwise.
    func claim(fromCookie value: String, now: Int64) -> PageSessionClaim? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "v1", let expires = Int64(parts[3]), expires > now,
              let signature = Self.bytes(base64URL: parts[4])
        else { return nil }
        let payload = parts[0..<4].joined(separator: ".")
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Array(("session." + payload).utf8), using: key),
              let subjectBytes = Self.bytes(base64URL: parts[2])
        else { return nil }
        let subject = String(decoding: subjectBytes, as: UTF8.self)
        switch parts[1] {
        case "k": return UUID(uuidString: subject).map { PageSessionClaim(subject: .key($0), expires: expires) }
        case "u": return PageSessionClaim(subject: .user(subject), expires: expires)
        default: return nil
        }
    }

    /// The form token of the sign-in whose cookie is `cookieValue`.
    func formToken(forCookie cookieValue: String) -> String {
        Self.base64URL(mac("form", cookieValue))
    }

    /// Whether `token` is the form token of `cookieValue` (compared in constant time).
    func isValidFormToken(_ token: String, forCookie cookieValue: String) -> Bool {
        guard let bytes = Self.bytes(base64URL: Substring(token)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Array(("form." + cookieValue).utf8), using: key)
    }

    private func mac(_ label: String, _ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array((label + "." + text).utf8), using: key))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func bytes(base64URL text: Substring) -> [UInt8]? {
        var text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text.append("=") }
        return Data(base64Encoded: text).map(Array.init)
    }
}
