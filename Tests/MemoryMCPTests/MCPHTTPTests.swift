import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MemoryCore
import ProcessTestSupport
import Testing

/// `POST /mcp` on the real `memoryhub serve`, spoken to with plain HTTP: origin checks, session
/// ids, methods, and the caller's user.
@Suite(.enabled(if: MCPTestEnvironment.binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
struct MCPHTTPTests {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let json: JSONValue?
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    static func send(_ method: String, _ url: String, _ body: JSONValue?, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 120
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json, text/event-stream", forHTTPHeaderField: "Accept")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(JSONWriter.bytes(body)) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, json: try? JSONParser.parse(Array(data)))
    }

    static let initialize: JSONValue = [
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "curl-like", "version": "1"]],
    ]

    @Test func checksOriginsHandsOutSessionsAndNeedsAUser() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-origin")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ServeProcess(
            binary: MCPTestEnvironment.binary!, database: folder.path + "/db.sqlite", extraArguments: ["--allowed-origin", "https://app.example.com"])
        defer { server.stop() }
        let url = try await server.waitForAddress() + "/mcp"

        let plain = try await Self.send("POST", url, Self.initialize)
        #expect(plain.status == 200)
        #expect(plain.json?.objectValue?["result"]?.objectValue?["serverInfo"]?.objectValue?["name"] == "memoryhub")
        let sessionID = try #require(plain.header("Mcp-Session-Id"))

        #expect(try await Self.send("POST", url, Self.initialize, headers: ["Origin": "https://evil.example"]).status == 403)
        #expect(try await Self.send("POST", url, Self.initialize, headers: ["Origin": "http://localhost:3000"]).status == 200)
        #expect(try await Self.send("POST", url, Self.initialize, headers: ["Origin": "https://app.example.com"]).status == 200)
        #expect(try await Self.send("GET", url, nil).status == 405)

        let call: JSONValue = [
            "jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": ["name": "create_memory", "arguments": ["content": "over plain HTTP", "memory_type": "fact"]],
        ]
        let anonymous = try await Self.send("POST", url, call, headers: ["Mcp-Session-Id": sessionID])
        let anonymousResult = anonymous.json?.objectValue?["result"]?.objectValue
        #expect(anonymousResult?["isError"] == true)
        #expect(anonymousResult?["content"]?.arrayValue?.first?.objectValue?["text"]?.stringValue?.contains("X-User-ID") == true)

        // A session belongs to the user who initialized it: presented by anyone else, or unknown
        // to the server (after a restart, a DELETE), it is 404 so the client starts a new one.
        let foreign = try await Self.send("POST", url, call, headers: ["Mcp-Session-Id": sessionID, "X-User-ID": "erin"])
        #expect(foreign.status == 404 && foreign.json?.objectValue?["error"] != nil, "\(String(describing: foreign.json))")
        let unknown = try await Self.send("POST", url, call, headers: ["Mcp-Session-Id": UUID().uuidString, "X-User-ID": "erin"])
        #expect(unknown.status == 404)

        let erins = try await Self.send("POST", url, Self.initialize, headers: ["X-User-ID": "erin"])
        let erinSession = try #require(erins.header("Mcp-Session-Id"))
        let named = try await Self.send("POST", url, call, headers: ["Mcp-Session-Id": erinSession, "X-User-ID": "erin"])
        let memory = named.json?.objectValue?["result"]?.objectValue?["structuredContent"]?.objectValue?["memory"]?.objectValue
        #expect(memory?["user_id"] == "erin" && memory?["content"] == "over plain HTTP", "\(String(describing: named.json))")
        // The same connection keeps its current session.
        let second = try await Self.send("POST", url, call, headers: ["Mcp-Session-Id": erinSession, "X-User-ID": "erin"])
        let secondMemory = second.json?.objectValue?["result"]?.objectValue?["structuredContent"]?.objectValue?["memory"]?.objectValue
        #expect(secondMemory?["session_id"] == memory?["session_id"])
        #expect(try await Self.send("DELETE", url, nil, headers: ["Mcp-Session-Id": erinSession, "X-User-ID": "erin"]).status == 200)
        #expect(try await Self.send("POST", url, call, headers: ["Mcp-Session-Id": erinSession, "X-User-ID": "erin"]).status == 404)

        #expect(try await Self.send("DELETE", url, nil, headers: ["Mcp-Session-Id": sessionID]).status == 200)
        let notJSON = try await Self.send("POST", url, nil, headers: ["X-User-ID": "erin"])
        #expect(notJSON.status == 400)
    }

    /// One representation per shape: the REST statistics and MCP `get_memory_stats` carry the
    /// same fields under the same names, with the same values, for the same user.
    @Test func restStatisticsAndMCPGetMemoryStatsAreTheSameShape() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-stats")
        defer { try? FileManager.default.removeItem(at: folder) }
        // No embedding model: the background embedder would change memories_with_embedding between the two reads.
        let server = try ServeProcess(binary: MCPTestEnvironment.binary!, database: folder.path + "/db.sqlite", extraArguments: ["--no-embeddings"])
        defer { server.stop() }
        let base = try await server.waitForAddress()
        let started = try await Self.send("POST", base + "/api/memory/session/start", ["user_id": "stats-user", "auto_link": false])
        let session = try #require(started.json?.objectValue?["id"]?.stringValue)
        for (content, type) in [("Use PostgreSQL", "decision"), ("Tabs, not spaces", "preference"), ("It builds", "fact")] {
            let created = try await Self.send(
                "POST", base + "/api/memory/memories", ["session_id": .string(session), "content": .string(content), "memory_type": .string(type)])
            #expect(created.status == 201)
        }
        let rest = try #require(try await Self.send("GET", base + "/api/memory/context/stats/stats-user", nil).json?.objectValue)
        let call: JSONValue = ["jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": "get_memory_stats", "arguments": [:]]]
        let reply = try await Self.send("POST", base + "/mcp", call, headers: ["X-User-ID": "stats-user"])
        let result = try #require(reply.json?.objectValue?["result"]?.objectValue)
        let mcp = try #require(result["structuredContent"]?.objectValue)
        #expect(Set(mcp.keys) == Set(rest.keys), "REST \(rest.keys.sorted()) vs MCP \(mcp.keys.sorted())")
        for key in rest.keys where key != "most_accessed" {
            #expect(mcp[key] == rest[key], "\(key): REST \(String(describing: rest[key])) vs MCP \(String(describing: mcp[key]))")
        }
        #expect(rest["total_memories"] == 3 && rest["memories_by_type"]?.objectValue?["decision"] == 1)
        let text = result["content"]?.arrayValue?.first?.objectValue?["text"]?.stringValue ?? ""
        #expect(text.hasPrefix("3 memories") && text.contains("1 session,"), "\(text)")
    }
}
