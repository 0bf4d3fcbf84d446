import MCP
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

extension MemoryTool {
    /// The session tools: start, show, update, end, history.
    static let sessionTools: [MemoryTool] = [
        MemoryTool(
            "init_session",
            "Start a memory session for this conversation, or continue the user's recent one for the same project. "
                + "Later tools default to this session. Returns the session, with what the previous session left "
                + "(summary, entities, key facts) when it continues one.",
            [
                "project_id": string("The project; defaults to the connection's project."),
                "metadata": object("Any JSON object to keep with the session."),
                "tags": strings("Tags for the session."),
                "parent_session_id": uuid("Continue this session explicitly instead of the automatic link."),
            ],
            annotations: .init(title: "Start a session", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false),
            run: { try await $1.initSession($0) }),
        MemoryTool(
            "get_session",
            "Show one session: state, project, tags, memory count, summary. Defaults to the current session.",
            [
                "session_id": uuid("The session; defaults to the current one."),
                "include_context": boolean("Also list the session's most important memories."),
            ],
            annotations: .init(title: "Show a session", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.getSession($0) }),
        MemoryTool(
            "update_session_context",
            "Merge metadata into a session (a null value removes a key) and add tags. Defaults to the current session.",
            [
                "session_id": uuid("The session; defaults to the current one."),
                "metadata": object("Keys to merge into the session's metadata; null removes a key."),
                "tags": strings("Tags to add."),
            ],
            annotations: .init(title: "Update a session", readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false),
            run: { try await $1.updateSession($0) }),
        MemoryTool(
            "end_session",
            "End a session with a summary; its statistics and insights are computed and passed on to the next "
                + "session of the project. Defaults to the current session. Ending an ended session changes nothing.",
            [
                "session_id": uuid("The session; defaults to the current one."),
                "summary": string("What the session achieved; generated from its memories when absent."),
                "reason": enumeration(EndReason.allCases.map(\.rawValue), "Why it ends (default normal)."),
            ],
            annotations: .init(title: "End a session", readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false),
            run: { try await $1.endSession($0) }),
        MemoryTool(
            "get_session_history",
            "List the user's recent sessions, newest first.",
            [
                "project_id": string("Only sessions of this project."),
                "limit": integer("How many, 1 to 200 (default 10).", minimum: 1, maximum: 200),
            ],
            annotations: .init(title: "Session history", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.sessionHistory($0) }),
    ]
}

extension ToolContext {
    func initSession(_ arguments: JSONFields) async throws -> ToolOutcome {
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

    func getSession(_ arguments: JSONFields) async throws -> ToolOutcome {
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

    func updateSession(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try await sessionID(arguments)
        let metadata = try arguments.object("metadata") ?? [:]
        let tags = try arguments.strings("tags") ?? []
        let session = try await services.sessions.update(id: id, actingUser: try user(), metadata: metadata, tags: tags)
        let text = "Session \(session.id.lowercased) updated (\(metadata.count) metadata key(s) merged, \(tags.count) tag(s) added).\n"
            + TextRendering.session(session)
        return ToolOutcome(text: text, structured: .object(["session": APIRepresentation.session(session)]))
    }

    func endSession(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try await sessionID(arguments)
        let reason = try arguments.enumeration("reason", EndReason.self) ?? .normal
        let session = try await services.sessions.end(
            id: id, actingUser: try user(), reason: reason, finalSummary: try arguments.string("summary"))
        await connection.forget(id)
        var text = "Session \(session.id.lowercased) is \(session.state.rawValue) (\(session.endReason ?? reason.rawValue)) with \(session.memoryCount) memories."
        if let summary = session.summary, !summary.isEmpty { text += "\nSummary:\n\(summary)" }
        return ToolOutcome(text: text, structured: .object(["session": APIRepresentation.session(session)]))
    }

    func sessionHistory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let limit = try arguments.int("limit", in: 1...200) ?? 10
        let page = try await services.sessions.list(
            userID: try user(), projectID: try arguments.string("project_id"), activeOnly: false, limit: limit, offset: 0)
        var text = "\(page.total) session(s)"
        text += page.items.isEmpty ? "." : ", newest first:\n" + page.items.map(TextRendering.sessionLine).joined(separator: "\n")
        return ToolOutcome(
            text: text,
            structured: .object(["sessions": .array(page.items.map(APIRepresentation.session)), "total": .int(Int64(page.total))]))
    }
}
