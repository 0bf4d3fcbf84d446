import Logging
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

/// What every tool handler works with: the services, the connection it acts for (its user,
/// project and current session) and the logger.
struct ToolContext: Sendable {
    let services: MemoryHubServices
    let connection: MCPConnection
    let logger: Logger

    func user() throws -> String {
        guard let user = connection.userID else {
            throw MemoryHubError.forbidden(
                "This connection names no user: send an API key (Authorization: Bearer), or in local mode the X-User-ID header, with MCP requests over HTTP.")
        }
        return user
    }

    /// The `session_id` argument, else the connection's current session.
    func sessionID(_ arguments: JSONFields) async throws -> UUID {
        if let id = try arguments.uuid("session_id") { return id }
        guard let current = await connection.currentSessionID else {
            throw MemoryHubError.invalidField(
                "session_id", "There is no current session: call init_session first, or pass session_id.")
        }
        return current
    }

    /// The current session while it is active; otherwise a new one, started like `init_session`.
    func currentOrNewSession() async throws -> UUID {
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
