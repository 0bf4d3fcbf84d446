public import Logging
import MCP
public import MemoryCore
import MemoryAPI
public import MemoryService
import Foundation

/// What a tool answers: text for the model, the same facts as JSON, and whether it failed.
public struct ToolOutcome: Sendable {
    public var text: String
    public var structured: JSONValue?
    public var isError: Bool

    public init(text: String, structured: JSONValue? = nil, isError: Bool = false) {
        self.text = text
        self.structured = structured
        self.isError = isError
    }

    static func failure(_ sentence: String, code: String) -> ToolOutcome {
        ToolOutcome(text: sentence, structured: .object(["error": .string(sentence), "code": .string(code)]), isError: true)
    }
}

/// The tools of API.md "MCP tools" for one connection. Each handler reads its arguments, calls
/// the service layer and renders the result; every failure becomes a tool error with a sentence
/// saying what was wrong, never a protocol error or a crash.
public struct MemoryTools: Sendable {
    let services: MemoryHubServices
    let connection: MCPConnection
    let logger: Logger

    public init(services: MemoryHubServices, connection: MCPConnection, logger: Logger) {
        self.services = services
        self.connection = connection
        self.logger = logger
    }

    /// Runs one tool call.
    public func call(_ name: String, arguments: JSONObject) async -> ToolOutcome {
        guard ToolCatalog.names.contains(name) else {
            return .failure("There is no tool named '\(name)'; the tools are: \(ToolCatalog.names.joined(separator: ", ")).", code: "unknown_tool")
        }
        let arguments = JSONFields(arguments)
        do {
            try arguments.requireOnly(ToolCatalog.argumentNames(of: name), owner: name)
            return try await run(name, arguments)
        } catch let error as MemoryHubError {
            if error.kind == .internal || error.kind == .unavailable {
                logger.error("tool failed", metadata: ["memoryhub.tool": "\(name)", "memoryhub.error": "\(String(reflecting: error))"])
            }
            return .failure(error.detail, code: error.code)
        } catch {
            logger.error("tool failed unexpectedly", metadata: ["memoryhub.tool": "\(name)", "memoryhub.error": "\(String(reflecting: error))"])
            return .failure("The tool failed unexpectedly; the server log has the details.", code: "internal_error")
        }
    }

    private func run(_ name: String, _ arguments: JSONFields) async throws -> ToolOutcome {
        switch name {
        case "init_session": return try await initSession(arguments)
        case "get_session": return try await getSession(arguments)
        case "update_session_context": return try await updateSession(arguments)
        case "end_session": return try await endSession(arguments)
        case "get_session_history": return try await sessionHistory(arguments)
        case "create_memory": return try await createMemory(arguments)
        case "search_memories": return try await searchMemories(arguments)
        case "get_memory": return try await getMemory(arguments)
        case "update_memory": return try await updateMemory(arguments)
        case "delete_memory": return try await deleteMemory(arguments)
        case "get_memory_stats": return try await memoryStats(arguments)
        case "get_context": return try await getContext(arguments)
        default: throw MemoryHubError.internal("tool \(name) is listed but not implemented")
        }
    }

    // MARK: Sessions

    private func initSession(_ arguments: JSONFields) async throws -> ToolOutcome {
        let request = try SessionStartRequest(fields: arguments, userID: try user(), defaultProjectID: connection.projectID)
        let (session, _) = try await services.sessions.start(request)
        await connection.setCurrent(session.id)
        var text = "Session \(session.id.lowercased) started for user \(session.userID)"
        if let project = session.projectID { text += ", project \(project)" }
        if let parent = session.parentSessionID { text += ", continuing session \(parent.lowercased)" }
        text += ". Later tools use it by default."
        if let parentContext = session.metadata["parent_context"]?.objectValue {
            text += "\n\n" + TextRendering.parentContext(parentContext)
        }
        return ToolOutcome(text: text, structured: .object(["session": APIRepresentation.session(session)]))
    }

    private func getSession(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try await sessionID(arguments)
        let user = try user()
        var structured: JSONObject = [:]
        var text: String
        if try arguments.bool("include_context") == true {
            let context = try await services.sessions.context(id: id, actingUser: user)
            structured["session"] = APIRepresentation.session(context.session)
            structured["context"] = APIRepresentation.sessionContext(context, now: .now())
            text = TextRendering.session(context.session)
            if context.importantMemories.isEmpty {
                text += "\nNo important memories yet."
            } else {
                text += "\nImportant memories:\n" + context.importantMemories.map(TextRendering.memoryLine).joined(separator: "\n")
            }
        } else {
            let session = try await services.sessions.session(id: id, actingUser: user)
            structured["session"] = APIRepresentation.session(session)
            text = TextRendering.session(session)
        }
        return ToolOutcome(text: text, structured: .object(structured))
    }

    private func updateSession(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try await sessionID(arguments)
        let metadata = try arguments.object("metadata") ?? [:]
        let tags = try arguments.strings("tags") ?? []
        let session = try await services.sessions.update(id: id, actingUser: try user(), metadata: metadata, tags: tags)
        let text = "Session \(session.id.lowercased) updated (\(metadata.count) metadata key(s) merged, \(tags.count) tag(s) added).\n"
            + TextRendering.session(session)
        return ToolOutcome(text: text, structured: .object(["session": APIRepresentation.session(session)]))
    }

    private func endSession(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try await sessionID(arguments)
        let reason = try arguments.enumeration("reason", EndReason.self) ?? .normal
        let session = try await services.sessions.end(
            id: id, actingUser: try user(), reason: reason, finalSummary: try arguments.string("summary"))
        await connection.forget(id)
        var text = "Session \(session.id.lowercased) is \(session.state.rawValue) (\(session.endReason ?? reason.rawValue)) with \(session.memoryCount) memories."
        if let summary = session.summary, !summary.isEmpty { text += "\nSummary:\n\(summary)" }
        return ToolOutcome(text: text, structured: .object(["session": APIRepresentation.session(session)]))
    }

    private func sessionHistory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let limit = try arguments.int("limit", in: 1...200) ?? 10
        let page = try await services.sessions.list(
            userID: try user(), projectID: try arguments.string("project_id"), activeOnly: false, limit: limit, offset: 0)
        var text = "\(page.total) session(s)"
        text += page.items.isEmpty ? "." : ", newest first:\n" + page.items.map(TextRendering.sessionLine).joined(separator: "\n")
        return ToolOutcome(
            text: text,
            structured: .object(["sessions": .array(page.items.map(APIRepresentation.session)), "total": .int(Int64(page.total))]))
    }

    // MARK: Memories

    private func createMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        // Every argument is read before a session may be started, so a bad call leaves nothing
        // behind; without `session_id` the placeholder is replaced by the connection's session.
        var request = try NewMemory(fields: arguments, fallbackSessionID: UUID())
        guard !request.content.isEmpty else { throw MemoryHubError.invalidField("content", "content must not be empty.") }
        if let importance = request.importance, !(0...1).contains(importance) {
            throw MemoryHubError.invalidField("importance", "importance must be between 0 and 1.")
        }
        if try arguments.uuid("session_id") == nil {
            request.sessionID = try await currentOrNewSession()
        }
        let memory = try await services.memories.create(request, actingUser: try user())
        let text = "Remembered \(memory.id.lowercased) (\(memory.memoryType.rawValue), importance \(TextRendering.number(memory.importance))) in session \(memory.sessionID.lowercased)."
        return ToolOutcome(text: text, structured: .object(["memory": APIRepresentation.memory(memory, now: .now())]))
    }

    private func searchMemories(_ arguments: JSONFields) async throws -> ToolOutcome {
        _ = try arguments.int("limit", in: 1...100)
        let request = try SearchRequest(fields: arguments, userID: try user())
        let response = try await services.search.search(request)
        var text = "\(response.total) memor\(response.total == 1 ? "y matches" : "ies match") '\(request.query)'"
        if response.results.isEmpty {
            text += "."
        } else {
            text += "; the best \(response.results.count):\n" + response.results.enumerated().map { index, result in
                "\(index + 1). [score \(TextRendering.number(result.score))] " + TextRendering.memoryLine(result.memory)
            }.joined(separator: "\n")
        }
        return ToolOutcome(text: text, structured: APIRepresentation.search(response))
    }

    private func getMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let memory = try await services.memories.get(id: try arguments.requiredUUID("memory_id"), actingUser: try user())
        return ToolOutcome(text: TextRendering.memory(memory), structured: .object(["memory": APIRepresentation.memory(memory, now: .now())]))
    }

    private func updateMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try arguments.requiredUUID("memory_id")
        let change = try MemoryChange(fields: arguments)
        let memory = try await services.memories.update(id: id, actingUser: try user(), change: change)
        return ToolOutcome(
            text: "Memory \(memory.id.lowercased) updated (version \(memory.version)).\n" + TextRendering.memory(memory),
            structured: .object(["memory": APIRepresentation.memory(memory, now: .now())]))
    }

    private func deleteMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try arguments.requiredUUID("memory_id")
        try await services.memories.delete(id: id, actingUser: try user())
        return ToolOutcome(text: "Memory \(id.lowercased) deleted.", structured: .object(["deleted": .string(id.lowercased)]))
    }

    // MARK: Statistics and context

    private func memoryStats(_ arguments: JSONFields) async throws -> ToolOutcome {
        let stats = try await services.context.statistics(userID: try user(), projectID: try arguments.string("project_id"), days: 7)
        let byType = MemoryType.allCases.compactMap { type in
            stats.countsByType[type].flatMap { $0 > 0 ? "\(type.rawValue) \($0)" : nil }
        }.joined(separator: ", ")
        var text = "\(stats.totalMemories) \(stats.totalMemories == 1 ? "memory" : "memories") (\(stats.memoriesInWindow) in the last \(stats.days) days)"
        if !byType.isEmpty { text += ": \(byType)" }
        text += ". \(stats.totalSessions) \(stats.totalSessions == 1 ? "session" : "sessions"), \(stats.activeSessions) active. Mean importance \(TextRendering.number(stats.meanImportance))."
        if !stats.mostAccessed.isEmpty {
            text += "\nMost used:\n" + stats.mostAccessed.prefix(5).map(TextRendering.memoryLine).joined(separator: "\n")
        }
        return ToolOutcome(text: text, structured: APIRepresentation.statistics(stats))
    }

    private func getContext(_ arguments: JSONFields) async throws -> ToolOutcome {
        var request = ContextRequest(userID: try user())
        request.projectID = connection.projectID
        request.sessionID = await connection.currentSessionID
        request.query = try arguments.string("query")
        request.maxTokens = try arguments.int("max_tokens", in: 100...32000) ?? 4000
        request.maxMemories = try arguments.int("max_memories", in: 1...100) ?? 20
        if let types = try arguments.enumerations("context_types", ContextType.self), !types.isEmpty { request.contextTypes = types }
        let response = try await services.context.retrieve(request)
        let text = response.formattedContext.isEmpty ? "No memories are relevant yet." : response.formattedContext
        return ToolOutcome(text: text, structured: APIRepresentation.context(response))
    }

    // MARK: Helpers

    private func user() throws -> String {
        guard let user = connection.userID else {
            throw MemoryHubError.forbidden(
                "This connection names no user: send the X-User-ID header with MCP requests over HTTP.")
        }
        return user
    }

    /// The `session_id` argument, else the connection's current session.
    private func sessionID(_ arguments: JSONFields) async throws -> UUID {
        if let id = try arguments.uuid("session_id") { return id }
        guard let current = await connection.currentSessionID else {
            throw MemoryHubError.invalidField(
                "session_id", "There is no current session: call init_session first, or pass session_id.")
        }
        return current
    }

    /// The current session while it is active; otherwise a new one, started like `init_session`.
    private func currentOrNewSession() async throws -> UUID {
        let user = try user()
        let services = services
        let projectID = connection.projectID
        return try await connection.currentOrStart(
            isUsable: { id in
                do {
                    let session = try await services.sessions.session(id: id, actingUser: user)
                    return session.state == .active || session.state == .paused
                } catch let error as MemoryHubError where error.kind == .notFound {
                    return false
                }
            },
            start: {
                try await services.sessions.start(SessionStartRequest(userID: user, projectID: projectID)).session
            })
    }
}
