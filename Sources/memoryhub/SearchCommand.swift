import ArgumentParser
package import MemoryCore
import MemoryAPI
package import MemoryService
import Foundation

/// `memoryhub search QUERY`: the API's search, from the terminal.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search a user's memories.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "What to look for.") var query: String
    @Option(help: "The user (default: the OS user name).") var user: String?
    @Option(help: "Only this project.") var project: String?
    @Option(help: "Only this session.") var session: String?
    @Option(name: .customLong("type"), help: "Only this memory type (repeatable).") var types: [MemoryType] = []
    @Option(name: .customLong("tag"), help: "Only memories with this tag (repeatable; any matches).") var tags: [String] = []
    @Option(help: "Lowest importance, 0-1.") var minImportance: Double?
    @Option(help: "lexical, semantic or hybrid (default hybrid; lexical without a model).") var mode: SearchMode = .hybrid
    @Option(help: "How many (1-100).") var limit = 10
    @Option(help: "Skip this many.") var offset = 0
    @Flag(help: "Show each result's score breakdown.") var explain = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await options.withServices(embeddings: mode != .lexical) { services in
            var request = SearchRequest(userID: user ?? CLIOutput.osUser, query: query)
            request.projectID = project
            request.sessionID = try session.map { try CLIOutput.uuid($0, "session") }
            request.memoryTypes = types
            request.tags = tags
            request.minImportance = minImportance
            request.mode = mode
            request.limit = limit
            request.offset = offset
            request.explain = explain
            let response = try await services.search.search(request)
            if json {
                CLIOutput.json(APIRepresentation.search(response))
                return
            }
            print("\(response.total) match\(response.total == 1 ? "" : "es") (\(response.mode.rawValue))")
            for result in response.results {
                let score = String(format: "%.3f", result.score)
                print("\(score)  \(result.memory.id.lowercased)  [\(result.memory.memoryType.rawValue)] \(CLIOutput.oneLine(result.memory.content, limit: 100))")
                if let breakdown = result.breakdown {
                    print("       lexical rank \(breakdown.lexicalRank.map(String.init) ?? "-"), semantic rank \(breakdown.semanticRank.map(String.init) ?? "-"), similarity \(breakdown.similarity.map { String(format: "%.3f", $0) } ?? "-"), fused \(String(format: "%.5f", breakdown.fused)), adjustment \(String(format: "%.3f", breakdown.adjustment))")
                }
            }
        }
    }
}

/// `memoryhub context [QUERY]`: the context block an assistant would read.
struct ContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "context", abstract: "Print the token-budgeted context for a user.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "What the assistant is about to do (optional).") var query: String?
    @Option(help: "The user (default: the OS user name).") var user: String?
    @Option(help: "Only this project.") var project: String?
    @Option(help: "The current session.") var session: String?
    @Option(name: .customLong("type"), help: "A context type (repeatable): \(ContextType.allCases.map(\.rawValue).joined(separator: ", ")).")
    var contextTypes: [ContextType] = []
    @Flag(help: "Every context type, 30 memories, 6000 tokens.") var comprehensive = false
    @Option(help: "Most memories.") var maxMemories: Int?
    @Option(help: "Token budget.") var maxTokens: Int?
    @Option(help: "Lowest relevance, 0-1 (default 0.3).") var minRelevance: Double?
    @Flag(help: "Print the JSON of POST /api/memory/context/retrieve.") var json = false

    func run() async throws {
        try await options.withServices { services in
            let userID = user ?? CLIOutput.osUser
            var request = comprehensive ? ContextRequest.comprehensive(userID: userID) : ContextRequest(userID: userID)
            request.query = query
            request.projectID = project
            request.sessionID = try session.map { try CLIOutput.uuid($0, "session") }
            if !contextTypes.isEmpty { request.contextTypes = contextTypes }
            if let maxMemories { request.maxMemories = maxMemories }
            if let maxTokens { request.maxTokens = maxTokens }
            if let minRelevance { request.minRelevance = minRelevance }
            let response = try await services.context.retrieve(request)
            if json {
                CLIOutput.json(APIRepresentation.context(response))
            } else {
                print(response.formattedContext.isEmpty ? "(no memories matched)" : response.formattedContext)
                FileHandle.standardError.write(Data((response.contextSummary + "\n").utf8))
            }
        }
    }
}

extension MemoryType: ExpressibleByArgument {}
extension SearchMode: ExpressibleByArgument {}
extension ContextType: ExpressibleByArgument {}
