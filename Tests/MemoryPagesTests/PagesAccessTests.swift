import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MemoryCore
import MemoryHTTP
import MemoryPages
import MemoryService
import Testing

/// Who may see what through the pages, over plain HTTP: without a sign-in every page goes to the
/// sign-in page; a cookie never shows another user's session or memory, even by URL; a form from
/// another site is refused; every value is escaped.
@Suite struct PagesAccessTests {
    /// A server with pages, in `required` or `local` mode, and two users with a session and a
    /// memory each.
    struct Fixture {
        let client: any TestClientProtocol
        let services: MemoryHubServices
        let keys: [String: String]
        let sessions: [String: UUID]
        let memories: [String: UUID]

        /// The response to a request with these headers (and a form body).
        func send(
            _ method: HTTPRequest.Method, _ path: String, cookie: String? = nil, form: [(String, String)]? = nil,
            headers extra: [String: String] = [:]
        ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, text: String) {
            var headers = HTTPFields()
            if let cookie { headers[.cookie] = cookie }
            for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
            var body: ByteBuffer?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                body = ByteBuffer(string: form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
            }
            let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
            return (response.status, response.headers, String(buffer: response.body))
        }

        /// Signs in with a user's key (required mode) or as the user (local mode); returns the cookie.
        func signIn(_ user: String) async throws -> String {
            let field = keys.isEmpty ? ("user", user) : ("key", keys[user] ?? "")
            let response = try await send(.post, "/sign-in", form: [field, ("next", "/sessions")])
            #expect(response.status == .seeOther)
            let setCookie = try #require(response.headers[.setCookie])
            return String(setCookie.prefix { $0 != ";" })
        }

        /// The form token of the page's last form (the header's sign-out form comes first).
        func formToken(_ cookie: String, page: String) async throws -> String {
            let text = try await send(.get, page, cookie: cookie).text
            let range = try #require(text.range(of: #"name="csrf" value="[^"]+""#, options: [.regularExpression, .backwards]))
            return String(text[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
    }

    static func withFixture(
        auth: MemoryHTTPServer.AuthMode, rateLimit: MemoryHTTPServer.RateLimit? = nil, _ body: @Sendable (Fixture) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-pages-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let services = try await MemoryHubServices.embedded(path: folder.path + "/db.sqlite", logger: Logger(label: "pages-test"))
        var keys: [String: String] = [:]
        var sessions: [String: UUID] = [:]
        var memories: [String: UUID] = [:]
        for user in ["alice", "bob"] {
            if auth == .required { keys[user] = try await services.keys.create(userID: user, name: "test", admin: false).text }
            let session = try await services.sessions.start(SessionStartRequest(userID: user, projectID: "\(user)-project")).session
            sessions[user] = session.id
            memories[user] = try await services.memories.create(
                NewMemory(sessionID: session.id, content: "\(user)'s note: <script>alert(1)</script> & \"quotes\"", memoryType: .fact),
                actingUser: user
            ).id
        }
        let configuration = MemoryHTTPServer.Configuration(port: 0, auth: auth, rateLimit: rateLimit)
        let pages = try await WebPages<MemoryHubRequestContext>(
            services: services, configuration: PagesConfiguration(signIn: auth == .required ? .apiKey : .chooseUser, limiter: configuration.limiter),
            logger: Logger(label: "pages-test"))
        let router = MemoryHTTPServer.router(services: services, configuration: configuration, metrics: nil, beforeAuthentication: [pages])
        let app = Application(router: router)
        let (userKeys, userSessions, userMemories) = (keys, sessions, memories)
        try await app.test(.router) { client in
            try await body(Fixture(client: client, services: services, keys: userKeys, sessions: userSessions, memories: userMemories))
        }
    }

    @Test func withoutASignInEveryPageGoesToTheSignInPage() async throws {
        try await Self.withFixture(auth: .required) { fixture in
            let alice = fixture.sessions["alice"]!.lowercased, memory = fixture.memories["alice"]!.lowercased
            for path in ["/", "/sessions", "/sessions/\(alice)", "/memories/\(memory)", "/memories/\(memory)/delete", "/search?q=note",
                         "/context?q=note", "/status", "/keys"] {
                let response = try await fixture.send(.get, path)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location]?.hasPrefix("/sign-in") == true, "\(path): \(response.headers[.location] ?? "-")")
                #expect(!response.text.contains("alice's note"), "\(path)")
            }
            // A stale or forged cookie is no sign-in either.
            let forged = try await fixture.send(.get, "/sessions", cookie: "memoryhub_session=v1.u.YWxpY2U.99999999999.AAAA")
            #expect(forged.status == .seeOther)
            // A post without a sign-in changes nothing.
            let post = try await fixture.send(.post, "/memories/\(memory)/delete", form: [("csrf", "x")])
            #expect(post.status == .seeOther)
            #expect((try? await fixture.services.memories.get(id: fixture.memories["alice"]!, actingUser: "alice")) != nil)
            // The API itself still answers 401 JSON, not a page.
            let api = try await fixture.send(.get, "/api/memory/session/\(alice)")
            #expect(api.status == .unauthorized)
            #expect(api.text.contains("\"code\""))
        }
    }

    @Test func theCookieIsHttpOnlyStrictAndSecureBehindTLSAndHoldsNoKey() async throws {
        try await Self.withFixture(auth: .required) { fixture in
            let plain = try await fixture.send(.post, "/sign-in", form: [("key", fixture.keys["alice"]!)])
            let cookie = try #require(plain.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Max-Age="))
            #expect(!cookie.contains("Secure"))
            // The key's secret is its last 43 characters (base64url, which may itself hold "_").
            #expect(!cookie.contains(fixture.keys["alice"]!) && !cookie.contains(String(fixture.keys["alice"]!.suffix(43))))
            let proxied = try await fixture.send(.post, "/sign-in", form: [("key", fixture.keys["alice"]!)], headers: ["X-Forwarded-Proto": "https"])
            #expect(proxied.headers[.setCookie]?.contains("Secure") == true)
            let wrong = try await fixture.send(.post, "/sign-in", form: [("key", "mhk_nonsense")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            // Signing out clears it.
            let session = String(cookie.prefix { $0 != ";" })
            let token = try await fixture.formToken(session, page: "/sessions")
            let out = try await fixture.send(.post, "/sign-out", cookie: session, form: [("csrf", token)])
            #expect(out.status == .seeOther && out.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }

    @Test(arguments: [MemoryHTTPServer.AuthMode.required, .local])
    func aCookieNeverShowsAnotherUsersSessionOrMemory(_ auth: MemoryHTTPServer.AuthMode) async throws {
        try await Self.withFixture(auth: auth) { fixture in
            let cookie = try await fixture.signIn("alice")
            let bobSession = fixture.sessions["bob"]!.lowercased, bobMemory = fixture.memories["bob"]!.lowercased
            let list = try await fixture.send(.get, "/sessions", cookie: cookie)
            #expect(list.status == .ok)
            #expect(list.text.contains(fixture.sessions["alice"]!.lowercased) && !list.text.contains(bobSession))
            for path in ["/sessions/\(bobSession)", "/memories/\(bobMemory)", "/memories/\(bobMemory)/delete"] {
                let response = try await fixture.send(.get, path, cookie: cookie)
                #expect(response.status == .notFound, "\(path)")
                #expect(!response.text.contains("bob's note") && !response.text.contains("bob-project"), "\(path)")
            }
            let search = try await fixture.send(.get, "/search?q=note&mode=lexical", cookie: cookie)
            #expect(search.text.contains("alice&#39;s note") || search.text.contains("alice&#x27;s note") || search.text.contains("alice's note"))
            #expect(!search.text.contains("bob"))
            // A valid form of alice's cannot edit or delete bob's memory.
            let token = try await fixture.formToken(cookie, page: "/memories/\(fixture.memories["alice"]!.lowercased)")
            let edit = try await fixture.send(.post, "/memories/\(bobMemory)", cookie: cookie, form: [("csrf", token), ("content", "hijacked")])
            #expect(edit.status == .notFound)
            let delete = try await fixture.send(.post, "/memories/\(bobMemory)/delete", cookie: cookie, form: [("csrf", token)])
            #expect(delete.status == .notFound)
            let bobs = try await fixture.services.memories.get(id: fixture.memories["bob"]!, actingUser: "bob")
            #expect(bobs.content.hasPrefix("bob's note"))
        }
    }

    @Test func aCrossSiteFormPostIsRefused() async throws {
        try await Self.withFixture(auth: .required) { fixture in
            let cookie = try await fixture.signIn("alice")
            let memory = fixture.memories["alice"]!.lowercased
            let token = try await fixture.formToken(cookie, page: "/memories/\(memory)")
            let form = [("csrf", token), ("content", "changed by another site")]
            let fromElsewhere = try await fixture.send(.post, "/memories/\(memory)", cookie: cookie, form: form, headers: ["Origin": "https://evil.example"])
            #expect(fromElsewhere.status == .forbidden)
            let crossSite = try await fixture.send(.post, "/memories/\(memory)", cookie: cookie, form: form, headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(crossSite.status == .forbidden)
            let noToken = try await fixture.send(.post, "/memories/\(memory)", cookie: cookie, form: [("content", "changed without a token")])
            #expect(noToken.status == .forbidden)
            let otherToken = try await fixture.send(.post, "/memories/\(memory)/delete", cookie: cookie, form: [("csrf", "AAAA")])
            #expect(otherToken.status == .forbidden)
            #expect(try await fixture.services.memories.get(id: fixture.memories["alice"]!, actingUser: "alice").content.hasPrefix("alice's note"))
            // The same form from the page itself goes through.
            let own = try await fixture.send(
                .post, "/memories/\(memory)", cookie: cookie, form: form, headers: ["Origin": "http://localhost", "X-Forwarded-Host": "localhost", "Sec-Fetch-Site": "same-origin"])
            #expect(own.status == .seeOther)
            #expect(try await fixture.services.memories.get(id: fixture.memories["alice"]!, actingUser: "alice").content == "changed by another site")
        }
    }

    /// A signed-in key's pages draw from the same per-key rate limit as its API calls, and
    /// using the pages is recorded as the key's last use.
    @Test func pagesShareTheKeysRateLimitAndRecordItsUse() async throws {
        try await Self.withFixture(auth: .required, rateLimit: .init(perSecond: 0.2, burst: 3)) { fixture in
            let cookie = try await fixture.signIn("alice")
            #expect(try await fixture.send(.get, "/sessions", cookie: cookie).status == .ok)
            let key = try #require(try await fixture.services.keys.list(userID: "alice").first)
            #expect(key.lastUsedAt != nil, "a page view is a use of the key")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 { statuses.append(try await fixture.send(.get, "/sessions", cookie: cookie).status) }
            #expect(statuses.contains(.tooManyRequests), "\(statuses)")
            let limited = try await fixture.send(.get, "/sessions", cookie: cookie)
            #expect(limited.status == .tooManyRequests && limited.text.contains("try again in"))
            // The same bucket: the key's API calls are refused too.
            let api = try await fixture.send(.get, "/api/memory/memories/recent", headers: ["Authorization": "Bearer \(fixture.keys["alice"]!)"])
            #expect(api.status == .tooManyRequests)
            // Another key has its own bucket.
            let bob = try await fixture.signIn("bob")
            #expect(try await fixture.send(.get, "/sessions", cookie: bob).status == .ok)
        }
    }

    /// Numbers a person (or a crafted link) can type into a URL are refused with a page, never
    /// a crash: NaN and infinite importances, page numbers whose offset would overflow.
    @Test func outOfRangeNumbersInTheURLAre422NotACrash() async throws {
        try await Self.withFixture(auth: .local) { fixture in
            let cookie = try await fixture.signIn("alice")
            let session = fixture.sessions["alice"]!.lowercased
            for path in [
                "/search?min_importance=nan", "/search?q=note&min_importance=inf", "/search?q=note&min_importance=1e300",
                "/context?q=note&min_importance=-1", "/search?q=note&session=not-an-id",
                "/sessions?page=9223372036854775807", "/sessions/\(session)?page=99999999999", "/search?q=note&page=-3",
                "/search?q=note&page=9223372036854775807",
            ] {
                let response = try await fixture.send(.get, path, cookie: cookie)
                #expect(response.status == .unprocessableContent, "\(path): \(response.status)")
            }
            // The server still answers.
            #expect(try await fixture.send(.get, "/sessions", cookie: cookie).status == .ok)
        }
    }

    /// Saving the edit form changes what the person changed and nothing else; looking at a memory
    /// does not count as the assistant recalling it.
    @Test func savingOneFieldLeavesTheOthersExactlyAsTheyWere() async throws {
        try await Self.withFixture(auth: .local) { fixture in
            let cookie = try await fixture.signIn("alice")
            let id = fixture.memories["alice"]!
            var change = MemoryChange()
            change.content = "\nFirst line after a blank one\r\nand a second."
            change.importance = 0.555
            change.entities = ["Smith, John", "ACME"]
            change.tags = ["a,b"]
            let before = try await fixture.services.memories.update(id: id, actingUser: "alice", change: change)
            let page = try await fixture.send(.get, "/memories/\(id.lowercased)", cookie: cookie).text
            #expect(try await fixture.services.memories.read(id: id, actingUser: "alice").accessCount == before.accessCount, "viewing counted an access")
            // What a browser posts back: every field as shown, every line break as CR LF.
            let browserLines = before.content.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .replacingOccurrences(of: "\n", with: "\r\n")
            func shown(_ name: String) throws -> String {
                let pattern = "name=\"\(name)\"[^>]*value=\"[^\"]*\""
                let range = try #require(page.range(of: pattern, options: .regularExpression), "\(name)")
                let field = page[range]
                let value = try #require(field.range(of: "value=\"", options: .backwards))
                return Self.unescape(String(field[value.upperBound...].dropLast()))
            }
            let token = try await fixture.formToken(cookie, page: "/memories/\(id.lowercased)")
            var form: [(String, String)] = [("csrf", token), ("content", browserLines)]
            for name in ["content_digest", "summary_shown", "importance", "importance_shown", "tags", "tags_shown", "entities", "entities_shown"] {
                form.append((name, try shown(name)))
            }
            form.append(("summary", "A summary, newly written"))
            let saved = try await fixture.send(.post, "/memories/\(id.lowercased)", cookie: cookie, form: form)
            #expect(saved.status == .seeOther)
            let after = try await fixture.services.memories.read(id: id, actingUser: "alice")
            #expect(after.summary == "A summary, newly written")
            #expect(after.content == before.content && after.importance == 0.555)
            #expect(after.entities == ["Smith, John", "ACME"] && after.tags == ["a,b"])
        }
    }

    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test func everyValueIsEscaped() async throws {
        try await Self.withFixture(auth: .local) { fixture in
            let cookie = try await fixture.signIn("alice")
            let session = fixture.sessions["alice"]!.lowercased, memory = fixture.memories["alice"]!.lowercased
            for path in ["/sessions/\(session)", "/memories/\(memory)", "/search?q=script&mode=lexical", "/context?q=note"] {
                let page = try await fixture.send(.get, path, cookie: cookie)
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
                #expect(!page.text.contains("<script>alert"), "\(path)")
                #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            }
            // A query typed into a filter comes back escaped too.
            let typed = try await fixture.send(.get, "/sessions?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", cookie: cookie)
            #expect(typed.text.contains("&lt;img src=x onerror=alert(1)&gt;") && !typed.text.contains("<img src=x"))
        }
    }

    @Test func aFormOverTheBodyLimitIs413() async throws {
        try await Self.withFixture(auth: .local) { fixture in
            let cookie = try await fixture.signIn("alice")
            let memory = fixture.memories["alice"]!.lowercased
            let token = try await fixture.formToken(cookie, page: "/memories/\(memory)")
            let huge = try await fixture.send(
                .post, "/memories/\(memory)", cookie: cookie, form: [("csrf", token), ("content", String(repeating: "x", count: 1_100_000))])
            #expect(huge.status == .contentTooLarge)
            #expect(try await fixture.services.memories.get(id: fixture.memories["alice"]!, actingUser: "alice").content.hasPrefix("alice's note"))
        }
    }

    @Test func aSignInComesBackOnlyToThisSite() async throws {
        try await Self.withFixture(auth: .local) { fixture in
            let away = try await fixture.send(.post, "/sign-in", form: [("user", "alice"), ("next", "//evil.example/x")])
            #expect(away.headers[.location] == "/sessions")
            let broken = try await fixture.send(.post, "/sign-in", form: [("user", "alice"), ("next", "/x\r\nSet-Cookie: a=b")])
            #expect(broken.headers[.location] == "/sessions")
            let back = try await fixture.send(.post, "/sign-in", form: [("user", "alice"), ("next", "/search?q=x")])
            #expect(back.headers[.location] == "/search?q=x")
        }
    }
}
