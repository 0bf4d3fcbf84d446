import Foundation
import HTTPTypes
import HummingbirdTesting
import MemoryCore
import MemoryHTTP
import Testing

/// API keys (API.md "Access"): who may call, on both deployments.
@Suite struct AuthTests {
    static let adminKey = "an-admin-key-for-tests-0123456789abcdef"

    /// Creates a user key through the admin route and returns (id, key).
    static func key(for user: String, admin: Bool = false, _ api: APIClient) async throws -> (id: String, key: String) {
        let created = try await api.post("/api/memory/admin/keys", ["user_id": .string(user), "name": "test", "admin": .bool(admin)], key: adminKey)
        #expect(created.status == .created, "\(api.deployment): \(created.text)")
        return (created.id, created["key"]?.stringValue ?? "")
    }

    @Test func missingMalformedUnknownAndRevokedKeysAre401WithWWWAuthenticate() async throws {
        try await LiveAPI.run(auth: .required, adminKey: Self.adminKey) { api, _ in
            let alice = try await Self.key(for: "alice", api)
            let unknown = "mhk_" + UUID().uuidString.lowercased().filter { $0 != "-" } + "_" + String(repeating: "A", count: 43)
            let wrongSecret = String(alice.key.dropLast(4)) + "AAAA"
            for (label, key) in [("missing", nil), ("malformed", "not-a-key"), ("unknown", unknown), ("wrong secret", wrongSecret)] as [(String, String?)] {
                let response = try await api.get("/api/memory/session/user/alice", key: key)
                expectError(response, .unauthorized, code: "unauthorized")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(label): \(response.headers)")
            }
            #expect(try await api.get("/health").status == .ok)
            #expect(try await api.get("/ready").status == .ok)
            // Probes are never refused, whatever credentials they carry.
            #expect(try await api.get("/health", key: unknown).status == .ok)
            #expect(try await api.get("/ready", key: "mhk_stale").status == .ok)
            #expect(try await api.get("/api/memory/session/user/alice", key: alice.key).status == .ok)
            var headers = HTTPFields()
            headers[HTTPField.Name("X-API-Key")!] = alice.key
            let viaHeader = try await api.client.executeRequest(uri: "/api/memory/session/user/alice", method: .get, headers: headers, body: nil)
            #expect(viaHeader.status == .ok)
            // The scheme is case-insensitive (RFC 9110).
            var lowercase = HTTPFields()
            lowercase[.authorization] = "bearer \(alice.key)"
            #expect(try await api.client.executeRequest(uri: "/api/memory/session/user/alice", method: .get, headers: lowercase, body: nil).status == .ok)

            #expect(try await api.delete("/api/memory/admin/keys/\(alice.id)", key: Self.adminKey).status == .noContent)
            expectError(try await api.get("/api/memory/session/user/alice", key: alice.key), .unauthorized)
            let listed = try await api.get("/api/memory/admin/keys?user_id=alice", key: Self.adminKey)
            #expect(listed.array.first?.objectValue?["revoked_at"]?.stringValue != nil, "\(listed.text)")
            #expect(!listed.text.contains(alice.key.suffix(43)), "a listing shows a key")
        }
    }

    @Test func aUserKeyActsOnlyAsItsUserAndAnAdminKeyForTheUserItNames() async throws {
        try await LiveAPI.run(auth: .required, adminKey: Self.adminKey) { api, _ in
            let alice = try await Self.key(for: "alice", api)
            let started = try await api.post("/api/memory/session/start", ["auto_link": false], key: alice.key)
            #expect(started.status == .created && started["user_id"] == "alice", "\(started.text)")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "bob"], key: alice.key), .forbidden)
            expectError(try await api.get("/api/memory/memories/recent?user_id=bob", key: alice.key), .forbidden)
            expectError(try await api.get("/api/memory/memories/recent", user: "bob", key: alice.key), .forbidden)
            #expect(try await api.get("/api/memory/memories/recent?user_id=alice", key: alice.key).status == .ok)
            // User keys cannot administer.
            expectError(try await api.post("/api/memory/admin/keys", ["user_id": "alice"], key: alice.key), .forbidden)
            expectError(try await api.get("/api/memory/admin/cache/stats", key: alice.key), .forbidden)
            expectError(try await api.post("/api/memory/session/cleanup", [:], key: alice.key), .forbidden)

            // An admin key acts for the user it names.
            let asBob = try await api.post("/api/memory/session/start", ["user_id": "bob", "auto_link": false], key: Self.adminKey)
            #expect(asBob.status == .created && asBob["user_id"] == "bob")
            #expect(try await api.get("/api/memory/session/\(started.id)", key: Self.adminKey).status == .ok)
            #expect(try await api.get("/api/memory/admin/cache/stats", key: Self.adminKey).status == .ok)
            let bobKey = try await Self.key(for: "bob", admin: true, api)
            #expect(try await api.get("/api/memory/admin/keys", key: bobKey.key).array.count == 2)
        }
    }

    @Test func pastItsRateLimitAKeyGets429WithRetryAfter() async throws {
        // One token per 100 s: the test never depends on how fast this machine answers.
        try await LiveAPI.run(auth: .required, rateLimit: .init(perSecond: 0.01, burst: 3), adminKey: Self.adminKey) { api, _ in
            let alice = try await Self.key(for: "alice", api)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 { statuses.append(try await api.get("/api/memory/memories/recent", key: alice.key).status) }
            #expect(statuses.prefix(3).allSatisfy { $0 == .ok }, "\(statuses)")
            let limited = try await api.get("/api/memory/memories/recent", key: alice.key)
            expectError(limited, .tooManyRequests, code: "rate_limited")
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true, "\(limited.headers)")
            // Each key has its own bucket.
            let bob = try await Self.key(for: "bob", api)
            #expect(try await api.get("/api/memory/memories/recent", key: bob.key).status == .ok)
        }
    }

    @Test func localModeTrustsXUserIDButStillChecksAPresentedKey() async throws {
        try await LiveAPI.run(adminKey: Self.adminKey) { api, _ in
            #expect(try await api.post("/api/memory/session/start", ["user_id": "carol"]).status == .created)
            #expect(try await api.get("/api/memory/session/user/carol").status == .ok)
            expectError(try await api.get("/api/memory/session/user/carol", key: "mhk_bogus"), .unauthorized)
            // A client's own, non-MemoryHub credentials are ignored in local mode, as before keys.
            var headers = HTTPFields()
            headers[HTTPField.Name("X-API-Key")!] = "knowledgehub-client-key"
            let foreign = try await api.client.executeRequest(uri: "/api/memory/session/user/carol", method: .get, headers: headers, body: nil)
            #expect(foreign.status == .ok)
            let carol = try await Self.key(for: "carol", api)
            expectError(try await api.get("/api/memory/session/user/dave", key: carol.key), .forbidden)
        }
    }

    /// The isolation matrix: bob's key against every route of API.md, with alice's ids, and with
    /// alice named in the body, the query and the header. Only the documented 403/404 come back,
    /// never a byte of alice's data, and alice's data is unchanged afterwards.
    @Test func twoUsersWithTheirOwnKeysNeverReachEachOthersData() async throws {
        try await LiveAPI.run(auth: .required, adminKey: Self.adminKey) { api, _ in
            let alice = try await Self.key(for: "alice", api)
            let bob = try await Self.key(for: "bob", api)
            let marker = "ALICE-PRIVATE-\(UUID().uuidString.prefix(8))"
            let session = try await api.post("/api/memory/session/start", ["auto_link": false, "project_id": "secret-project"], key: alice.key).id
            let memory = try await api.post(
                "/api/memory/memories", ["session_id": .string(session), "content": .string("\(marker) the deploy password is in the vault"), "memory_type": "fact"],
                key: alice.key).id
            let bobSession = try await api.post("/api/memory/session/start", ["auto_link": false], key: bob.key).id
            #expect(!session.isEmpty && !memory.isEmpty && !bobSession.isEmpty)

            typealias Probe = (method: HTTPRequest.Method, path: String, body: JSONValue?)
            // Alice's ids, bob's key, no user named: 404 as if unknown.
            let byID: [Probe] = [
                (.get, "/api/memory/session/\(session)", nil),
                (.patch, "/api/memory/session/\(session)", ["tags": ["bob-was-here"]]),
                (.post, "/api/memory/session/\(session)/end", [:]),
                (.post, "/api/memory/session/\(session)/transition", ["state": "paused"]),
                (.get, "/api/memory/session/\(session)/chain", nil),
                (.get, "/api/memory/session/\(session)/context", nil),
                (.delete, "/api/memory/session/\(session)", nil),
                (.post, "/api/memory/memories", ["session_id": .string(session), "content": "bob writes into alice's session", "memory_type": "fact"]),
                (.get, "/api/memory/memories/\(memory)", nil),
                (.patch, "/api/memory/memories/\(memory)", ["content": "bob changed it"]),
                (.put, "/api/memory/memories/\(memory)", ["content": "bob changed it"]),
                (.delete, "/api/memory/memories/\(memory)", nil),
                (.get, "/api/memory/memories/session/\(session)", nil),
                (.post, "/api/memory/vector/similar/\(memory)", [:]),
                (.post, "/api/memory/vector/reindex/\(session)", nil),
            ]
            for probe in byID {
                let response = try await api.send(probe.method, probe.path, json: probe.body, key: bob.key)
                #expect(response.status == .notFound, "\(api.deployment) \(probe.method) \(probe.path): \(response.status) \(response.text)")
                #expect(!response.text.contains(marker) && !response.text.contains("secret-project"), "\(probe.path) leaked: \(response.text)")
            }
            // A batch into alice's session stores nothing.
            let batch = try await api.post(
                "/api/memory/memories/batch", ["session_id": .string(session), "memories": [["content": "x", "memory_type": "fact"]]], key: bob.key)
            #expect(batch["created"] == 0, "\(batch.text)")

            // Bob's own views hold none of alice's data.
            let ownViews: [Probe] = [
                (.get, "/api/memory/session/user/bob", nil),
                (.get, "/api/memory/session/active", nil),
                (.get, "/api/memory/memories/recent", nil),
                (.post, "/api/memory/memories/search", ["query": "deploy password vault", "mode": "lexical"]),
                (.post, "/api/memory/context/retrieve", ["query": "deploy password", "min_relevance": 0]),
                (.post, "/api/memory/context/comprehensive", ["query": "deploy password"]),
                (.get, "/api/memory/context/quick/bob?query=password", nil),
                (.get, "/api/memory/context/stats/bob", nil),
            ]
            for probe in ownViews {
                let response = try await api.send(probe.method, probe.path, json: probe.body, key: bob.key)
                #expect(response.status == .ok, "\(api.deployment) \(probe.path): \(response.text)")
                #expect(!response.text.contains(marker) && !response.text.contains(session) && !response.text.contains("\"alice\""), "\(probe.path) leaked: \(response.text)")
            }

            // Alice named anywhere: 403 before anything is read.
            let named: [Probe] = [
                (.get, "/api/memory/session/user/alice", nil),
                (.get, "/api/memory/context/quick/alice", nil),
                (.get, "/api/memory/context/stats/alice", nil),
                (.get, "/api/memory/session/active?user_id=alice", nil),
                (.get, "/api/memory/memories/recent?user_id=alice", nil),
                (.get, "/api/memory/session/\(session)?user_id=alice", nil),
                (.get, "/api/memory/memories/\(memory)?user_id=alice", nil),
                (.post, "/api/memory/session/start", ["user_id": "alice"]),
                (.post, "/api/memory/memories/search", ["user_id": "alice", "query": "deploy"]),
                (.post, "/api/memory/vector/search", ["user_id": "alice", "query": "deploy"]),
                (.post, "/api/memory/vector/similar/\(memory)", ["user_id": "alice"]),
                (.post, "/api/memory/context/retrieve", ["user_id": "alice", "query": "deploy"]),
                (.post, "/api/memory/context/comprehensive", ["user_id": "alice"]),
                (.post, "/api/memory/memories", ["user_id": "alice", "session_id": .string(bobSession), "content": "x", "memory_type": "fact"]),
                (.post, "/api/memory/memories/batch", ["user_id": "alice", "session_id": .string(bobSession), "memories": []]),
                (.patch, "/api/memory/session/\(bobSession)", ["user_id": "alice", "tags": ["x"]]),
                (.post, "/api/memory/session/\(bobSession)/end", ["user_id": "alice"]),
            ]
            for probe in named {
                let response = try await api.send(probe.method, probe.path, json: probe.body, key: bob.key)
                #expect(response.status == .forbidden, "\(api.deployment) \(probe.method) \(probe.path): \(response.status) \(response.text)")
                #expect(!response.text.contains(marker))
            }
            for probe in byID + ownViews {
                let response = try await api.send(probe.method, probe.path, json: probe.body, user: "alice", key: bob.key)
                #expect(response.status == .forbidden, "\(api.deployment) X-User-ID alice \(probe.method) \(probe.path): \(response.status) \(response.text)")
            }
            // Admin routes: 403 for a user key.
            for path in ["/api/memory/admin/keys", "/api/memory/admin/cache/stats"] {
                expectError(try await api.get(path, key: bob.key), .forbidden)
            }

            // Alice's data is as she left it.
            let mine = try await api.get("/api/memory/session/\(session)", key: alice.key)
            #expect(mine["state"] == "active" && mine["memory_count"] == 1 && mine["tags"]?.arrayValue?.contains("bob-was-here") == false, "\(mine.text)")
            let content = try await api.get("/api/memory/memories/\(memory)", key: alice.key)["content"]?.stringValue
            #expect(content?.hasPrefix(marker) == true)
        }
    }

    /// In local mode, where X-User-ID is trusted, a web page must not reach the API through DNS
    /// rebinding: a non-loopback Host is 421, a foreign browser Origin 403.
    @Test func localModeAnswersOnlyLoopbackHostsAndOrigins() async throws {
        try await LiveAPI.run { api, _ in
            let port = try #require(api.client.port)
            func get(_ extra: String) async throws -> String {
                try await RawHTTP.exchange(
                    port: port, head: "GET /api/memory/session/user/carol HTTP/1.1\r\n\(extra)Connection: close\r\n\r\n", bodyBytes: 0).text
            }
            #expect(try await get("Host: 127.0.0.1:\(port)\r\n").hasPrefix("HTTP/1.1 200"))
            #expect(try await get("Host: localhost\r\n").hasPrefix("HTTP/1.1 200"))
            #expect(try await get("Host: [::1]:\(port)\r\n").hasPrefix("HTTP/1.1 200"))
            #expect(try await get("Host: evil.example:\(port)\r\n").hasPrefix("HTTP/1.1 421"))
            #expect(try await get("Host: 127.0.0.1.evil.example\r\n").hasPrefix("HTTP/1.1 421"))
            #expect(try await get("Host: localhost\r\nOrigin: https://evil.example\r\n").hasPrefix("HTTP/1.1 403"))
            #expect(try await get("Host: localhost\r\nOrigin: http://localhost:3000\r\n").hasPrefix("HTTP/1.1 200"))
        }
    }

    /// Swift compares strings by canonical equivalence, the stores by bytes: only the NFC spelling
    /// of an id is accepted, so "josé" can never be two users to one part and one to another.
    @Test func userIDsMustBeInNFC() async throws {
        try await LiveAPI.run { api, _ in
            #expect(try await api.post("/api/memory/session/start", ["user_id": "jos\u{E9}"]).status == .created)
            expectError(try await api.post("/api/memory/session/start", ["user_id": "jose\u{301}"]), .unprocessableContent, field: "user_id")
            expectError(try await api.get("/api/memory/memories/recent?user_id=jose%CC%81"), .unprocessableContent, field: "user_id")
        }
    }
}
