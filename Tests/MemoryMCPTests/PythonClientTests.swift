import Foundation
import MemoryCore
import ProcessTestSupport
import Testing

/// The official MCP Python SDK as a real client of the real `memoryhub` binary: over stdio
/// (`memoryhub mcp`) and over streamable HTTP (`POST /mcp` on `memoryhub serve`).
@Suite(
    .enabled(
        if: MCPTestEnvironment.binary != nil && MCPTestEnvironment.python != nil,
        "needs the memoryhub binary and the MCP Python SDK venv (make test provides both; or run scripts/mcp-venv.sh)"),
    .serialized)
struct PythonClientTests {
    let binary = MCPTestEnvironment.binary ?? ""
    let python = MCPTestEnvironment.python ?? ""

    func script(_ name: String) -> String { MCPTestEnvironment.scripts + "/" + name }

    @Test func everyToolOverStdio() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-stdio")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await ChildProcess.run(
            python, [script("mcp_scenario.py"), "--transport", "stdio", "--binary", binary, "--database", folder.path + "/db.sqlite"])
        expectChecks(result, minimum: 60)
        let tools = result.json?.objectValue?["facts"]?.objectValue?["tools"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(tools.count == 17, "\(tools)")
    }

    @Test func everyToolOverHTTP() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-http")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ServeProcess(binary: binary, database: folder.path + "/db.sqlite")
        defer { server.stop() }
        let base = try await server.waitForAddress()
        let result = try await ChildProcess.run(python, [script("mcp_scenario.py"), "--transport", "http", "--url", base + "/mcp"])
        expectChecks(result, minimum: 60)
    }

    @Test func mcpOverHTTPTakesAPIKeys() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        let adminKey = "test-admin-key-" + UUID().uuidString
        let server = try ServeProcess(
            binary: binary, database: folder.path + "/db.sqlite", extraArguments: ["--auth", "required"],
            environment: ["MEMORYHUB_ADMIN_KEY": adminKey])
        defer { server.stop() }
        let base = try await server.waitForAddress()
        let result = try await ChildProcess.run(python, [script("mcp_keys.py"), "--base", base, "--admin-key", adminKey])
        expectChecks(result, minimum: 11)
        #expect(!server.log.contains(adminKey), "the admin key appears in the log")
    }

    @Test func fourStdioClientsAndTheHTTPAPIShareOneDatabase() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("mcp-concurrent")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.path + "/db.sqlite"
        let server = try ServeProcess(binary: binary, database: database)
        defer { server.stop() }
        let base = try await server.waitForAddress()
        let result = try await ChildProcess.run(
            python, [script("mcp_concurrent.py"), "--binary", binary, "--database", database, "--base", base, "--writes", "25"])
        expectChecks(result, minimum: 18)
        #expect(result.json?.objectValue?["facts"]?.objectValue?["total"] == 150)
    }
}
