package import Logging
package import MCP
package import MemoryService

/// The MCP server of MemoryHub: the tool catalog wired to `MemoryTools`, over stdio or (through
/// `MCPHTTPRoute`) over streamable HTTP.
package enum MemoryMCPServer {
    package static let name = "memoryhub"
    package static let version = "0.5.0"

    static let instructions = """
        MemoryHub remembers across conversations. At the start, call init_session (it continues the \
        project's recent session). Before answering, call get_context with what you are about to do. \
        Store what will matter later with create_memory: decisions and why, user preferences, errors \
        and their fixes, facts about the code. Use search_memories to look things up.
        """

    /// A server whose tools act for `connection`. Not started.
    package static func makeServer(
        services: MemoryHubServices, connection: MCPConnection, budget: ResultBudget = .init(), logger: Logger
    ) async -> MCP.Server {
        let tools = MemoryTools(services: services, connection: connection, budget: budget, logger: logger)
        let server = MCP.Server(
            name: name, version: version, title: "MemoryHub", instructions: instructions,
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: MemoryTool.all.map(\.definition))
        }
        await server.withMethodHandler(CallTool.self) { parameters in
            let arguments = (parameters.arguments ?? [:]).mapValues(ValueConversion.json)
            let outcome = await tools.call(parameters.name, arguments: arguments)
            return CallTool.Result(
                content: [.text(text: outcome.text, annotations: nil, _meta: nil)],
                structuredContent: outcome.structured.map(ValueConversion.mcp),
                isError: outcome.isError)
        }
        return server
    }

    /// Serves one client over stdin/stdout until stdin closes. Nothing else may write to stdout.
    package static func runStdio(
        services: MemoryHubServices, connection: MCPConnection, budget: ResultBudget = .init(), logger: Logger
    ) async throws {
        let server = await makeServer(services: services, connection: connection, budget: budget, logger: logger)
        let transport = DrainingTransport(StdioTransport(logger: logger), logger: logger)
        try await server.start(transport: transport)
        logger.info("memoryhub mcp serving over stdio", metadata: [
            "memoryhub.user": "\(connection.userID ?? "-")", "memoryhub.project": "\(connection.projectID ?? "-")",
        ])
        await server.waitUntilCompleted()
        await transport.drain(timeout: .seconds(60))
        await server.stop()
    }
}
