import ArgumentParser
import Logging
import MemoryHooks
import MemoryMCP
import MemoryService
import Foundation

/// `memoryhub mcp`: the MCP tools over stdin/stdout for one client (Claude Code, Claude Desktop).
/// stdout carries only the protocol; logs go to stderr.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp", abstract: "Serve the MCP tools over stdio (for Claude Code, Claude Desktop and other MCP clients).")

    @OptionGroup var options: GlobalOptions

    @Option(help: "The user the tools act for (env MEMORYHUB_USER; default: the OS user name).")
    var user: String?

    @Option(help: "The project new sessions belong to (env MEMORYHUB_PROJECT; default: the enclosing git repository's folder name, else the working folder's).")
    var project: String?

    func run() async throws {
        let logger = options.bootstrapLogging()
        let environment = GlobalOptions.environment
        let connection = MCPConnection(
            userID: user ?? environment["MEMORYHUB_USER"] ?? CLIOutput.osUser,
            projectID: project ?? environment["MEMORYHUB_PROJECT"] ?? ProjectName.of(folder: FileManager.default.currentDirectoryPath))
        let embedder = try options.embeddingOptions.embedder(logger: logger)
        let services = try MemoryHubServices.open(try options.deployment, embedder: embedder, logger: logger)
        try await services.withBackgroundServices { services in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // New memories are embedded here too, so search by meaning finds them without a server.
                if let embedding = services.embeddingService {
                    group.addTask { try await embedding.run() }
                }
                try await MemoryMCPServer.runStdio(services: services, connection: connection, logger: logger)
                group.cancelAll()
            }
        }
    }
}
