import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

/// The person a page acts for: every read and write of the page is scoped to `user`, as the REST
/// API scopes a key's requests.
struct PageVisitor: Sendable {
    /// The user whose data the pages show.
    var user: String
    /// Whether the keys page and the request counters are open to this person (admin keys, and
    /// `local` mode, where one person owns everything).
    var isAdmin: Bool
    /// What the header says about who is signed in.
    var label: String
    /// The token every form of this sign-in carries.
    var formToken: String
}

/// Why a form post was refused.
struct PageRefusal: Error {
    var status: HTTPResponse.Status
    var detail: String
}

/// Signing in and out, and who a request is: the session cookie, and the checks every form post passes.
struct PageGate: Sendable {
    static let cookieName = "memoryhub_session"

    let signer: PageSessionSigner
    let keys: KeyManager
    let configuration: PagesConfiguration

    /// Who the request's cookie says, while the cookie is valid (and, for a key, the key too); nil otherwise.
    func visitor(_ request: Request) async throws -> PageVisitor? {
        guard let cookie = request.cookies[Self.cookieName]?.value,
              let claim = signer.claim(fromCookie: cookie, now: Self.now())
        else { return nil }
        let token = signer.formToken(forCookie: cookie)
        switch (claim.subject, configuration.signIn) {
        case (.user(let user), .chooseUser):
            return PageVisitor(user: user, isAdmin: true, label: user, formToken: token)
        case (.key(let id), .apiKey):
            guard let key = try await keys.activeKey(id: id) else { return nil }
            if let wait = configuration.limiter?.admit(id) {
                let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
                throw PageRefusal(status: .tooManyRequests, detail: "This key sent more requests than it may; try again in \(seconds) s.")
            }
            let name = key.name.map { " (\($0))" } ?? ""
            return PageVisitor(user: key.userID, isAdmin: key.isAdmin, label: key.userID + name, formToken: token)
        default:
            return nil
        }
    }

    /// A redirect to the sign-in page that comes back to this page afterwards.
    func signInRedirect(_ request: Request) -> Response {
        let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return Self.redirect(PageLink.make("/sign-in", [("next", back == "/" ? nil : back)]))
    }

    /// The response that signs a browser in as `subject`, then sends it to `next`.
    func signIn(_ subject: PageSessionClaim.Subject, request: Request, next: String) -> Response {
        let lifetime = configuration.sessionLifetime.components.seconds
        let value = signer.cookieValue(for: PageSessionClaim(subject: subject, expires: Self.now() + lifetime))
        var response = Self.redirect(next)
        response.setCookie(Cookie(
            name: Self.cookieName, value: value, maxAge: Int(lifetime), path: "/", secure: Self.isSecure(request), httpOnly: true,
            sameSite: .strict))
        return response
    }

    /// The response that forgets the sign-in.
    func signOut(request: Request) -> Response {
        var response = Self.redirect("/sign-in")
        response.setCookie(Cookie(
            name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    /// Throws unless a form post comes from this site's own pages: its `Origin` (when sent) names
    /// this host, `Sec-Fetch-Site` (when sent) is `same-origin`, and, for a signed-in visitor, the
    /// form carries this sign-in's token.
    func checkPost(_ request: Request, form: PageForm, visitor: PageVisitor?) throws {
        if let site = request.headers[Self.fetchSite], site != "same-origin", site != "none" {
            throw PageRefusal(status: .forbidden, detail: "This form was sent from another site (\(site)); it was refused.")
        }
        if let origin = request.headers[.origin] {
            let hosts = [request.head.authority, request.headers[Self.forwardedHost]].compactMap { $0?.lowercased() }
            guard let range = origin.range(of: "://"), hosts.contains(String(origin[range.upperBound...]).lowercased()) else {
                throw PageRefusal(status: .forbidden, detail: "This form was sent from another origin (\(origin)); it was refused.")
            }
        }
        if visitor != nil {
            guard let token = form.raw("csrf"), let cookie = request.cookies[Self.cookieName]?.value,
                  signer.isValidFormToken(token, forCookie: cookie)
            else {
                throw PageRefusal(status: .forbidden, detail: "This form's token is missing or stale: reload the page and try again.")
            }
        }
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// Whether the browser reached us over TLS (directly, or through a proxy that says so).
    static func isSecure(_ request: Request) -> Bool {
        request.head.scheme == "https" || request.headers[forwardedProto]?.lowercased() == "https"
    }

    /// A path on this site (so `next` cannot send a person elsewhere, nor break the `Location`
    /// header with a line break); `/sessions` otherwise.
    static func localPath(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.hasPrefix("/\\"),
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
        else { return "/sessions" }
        return text
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
