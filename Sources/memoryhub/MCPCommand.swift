import ArgumentParser
import Logging
import MemoryHooks
import MemoryMCP
import MemoryService
import ServiceLifecycle
import Foundation

/// `memoryhub mcp`: the MCP tools over stdin/stdout for one client (Claude Code, Claude Desktop).
/// stdout carries only the protocol; logs go to stderr.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp", abstract: "Serve the MCP tools over stdio (for Claude Code, Claude Desktop and other MCP clients).")

    @OptionGroup var options: GlobalOptions

    @Option(help: "The user the tools act for (env MEMORYHUB_USER; default: the OS user name).")
    var user: String?

    @Option(help: "Characters a tool result may hold at most, text plus structured content (env MEMORYHUB_MCP_RESULT_BUDGET; default 60000, about 15,000 tokens).")
    var resultBudget: Int?

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
        // The pools, the embedding service (new memories are embedded here too, so search by
        // meaning finds them without a server) and the stdio server, in one ServiceGroup: when
        // the client closes stdin, the rest shut down gracefully. No signal handlers: the stdio
        // transport blocks on stdin, so SIGTERM and SIGINT keep their default (end the process).
        let budget = ResultBudget(
            maximumCharacters: try resultBudget ?? environment["MEMORYHUB_MCP_RESULT_BUDGET"].map { try ServeCommand.integer($0, "MEMORYHUB_MCP_RESULT_BUDGET") } ?? 60_000)
        let stdio = StdioMCPService(services: services, connection: connection, budget: budget, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: services.backgroundServices.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                    + (services.embeddingService.map { [.init(service: $0)] } ?? [])
                    + [.init(service: stdio, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
                logger: logger))
        try await group.run()
    }
}

/// Prepares the store, then serves MCP over stdin/stdout until the client closes stdin.
private struct StdioMCPService: Service {
    let services: MemoryHubServices
    let connection: MCPConnection
    let budget: ResultBudget
    let logger: Logger

    func run() async throws {
        try await services.prepare()
        try await MemoryMCPServer.runStdio(services: services, connection: connection, budget: budget, logger: logger)
    }
}
