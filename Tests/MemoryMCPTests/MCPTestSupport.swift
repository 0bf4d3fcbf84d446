import Foundation
import MemoryCore
import ProcessTestSupport
import Testing

/// Where the real binary and the MCP Python SDK are. `make test` sets both; plain `swift test`
/// uses what it finds and skips the suites that need what is missing.
enum MCPTestEnvironment {
    static let binary = ProcessTestSupport.binary

    /// Set by scripts/test.sh (scripts/mcp-venv.sh makes the venv); else the venv if it exists.
    static let python = ProcessTestSupport.python(environment: "MEMORYHUB_MCP_PYTHON", venv: "mcp-venv")

    static let scripts = ProcessTestSupport.root.appendingPathComponent("Tests/MemoryMCPTests/python").path

    static func temporaryFolder(_ label: String) throws -> URL { try ProcessTestSupport.temporaryFolder(label) }
}

