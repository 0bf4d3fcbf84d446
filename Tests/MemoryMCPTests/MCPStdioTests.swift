import Foundation
import MemoryCore
import ProcessTestSupport
import Testing

/// `memoryhub mcp` spoken to through a plain pipe: stdout carries only JSON-RPC, and closing stdin
/// right after the last request still gets every answer.
@Suite(.enabled(if: MCPTestEnvironment.binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
struct MCPStdioTests {
    @Test func answersEverythingItReadBeforeStdinClosed() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-pipe")
        defer { try? FileManager.default.removeItem(at: folder) }
        let requests: [JSONValue] = [
            ["jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "pipe", "version": "1"]]],
            ["jsonrpc": "2.0", "method": "notifications/initialized"],
            ["jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": "create_memory", "arguments": ["content": "piped in", "memory_type": "fact"]]],
            ["jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": ["name": "get_memory", "arguments": ["memory_id": "nope"]]],
        ]
        let result = try await ChildProcess.run(
            MCPTestEnvironment.binary!, ["mcp", "--database", folder.path + "/db.sqlite", "--user", "pipe", "--project", "p"],
            stdin: requests.map { JSONWriter.string($0) }.joined(separator: "\n") + "\n", timeout: .seconds(120))
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map { try? JSONParser.parse(String($0)) }
        #expect(lines.count == 3 && lines.allSatisfy { $0 != nil }, "stdout must be JSON-RPC only:\n\(result.stdout)")
        let byID = Dictionary(uniqueKeysWithValues: lines.compactMap { $0?.objectValue }.compactMap { object in
            object["id"].map { (JSONWriter.string($0), object) }
        })
        #expect(byID["2"]?["result"]?.objectValue?["isError"] == false)
        #expect(byID["3"]?["result"]?.objectValue?["isError"] == true)
        #expect(result.stderr.contains("serving over stdio"))
    }

    /// JSON-RPC 2.0 section 5: a parse error's reply carries `"id": null`, not a made-up id.
    @Test func aLineThatIsNotJSONGetsAParseErrorWithANullID() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-parse")
        defer { try? FileManager.default.removeItem(at: folder) }
        let initialize: JSONValue = [
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "pipe", "version": "1"]],
        ]
        let input = JSONWriter.string(initialize) + "\nthis is not json\n" + #"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"# + "\n"
        let result = try await ChildProcess.run(
            MCPTestEnvironment.binary!, ["mcp", "--database", folder.path + "/db.sqlite", "--no-embeddings"], stdin: input, timeout: .seconds(120))
        let replies = result.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
        let parseErrors = replies.filter { $0["error"]?.objectValue?["code"] == -32700 }
        #expect(parseErrors.count == 1, "\(result.stdout)")
        #expect(parseErrors.first?["id"] == .null, "\(result.stdout)")
        #expect(replies.contains { $0["id"] == 7 && $0["result"] != nil }, "the session goes on after the bad line: \(result.stdout)")
    }
}
