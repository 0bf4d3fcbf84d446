import ArgumentParser
import MemoryCore
import MemoryAPI
import MemoryService

import Foundation

/// `memoryhub session start|show|list|end` on the configured database.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "Start, show, list and end sessions.",
        subcommands: [Start.self, Show.self, List.self, End.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a session (or continue one, by auto-linking).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The user (default: the OS user name).") var user: String?
        @Option(help: "The project.") var project: String?
        @Option(help: "Your own id for the session; starting twice with it returns the same session.") var clientID: String?
        @Option(help: "An explicit parent session id.") var parent: String?
        @Option(name: .customLong("tag"), help: "A tag (repeatable).") var tags: [String] = []
        @Flag(help: "Do not link to a recent active session.") var noAutoLink = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await options.withServices { services in
                let (session, created) = try await services.sessions.start(
                    SessionStartRequest(
                        userID: user ?? CLIOutput.osUser, projectID: project, tags: tags,
                        parentSessionID: try parent.map { try CLIOutput.uuid($0, "parent") }, clientSessionID: clientID,
                        autoLink: !noAutoLink))
                if json { CLIOutput.json(APIRepresentation.session(session)) } else {
                    print("\(created ? "Started" : "Existing") session \(session.id.lowercased)")
                    CLIOutput.describe(session)
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one session.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The session id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await options.withServices { services in
                let session = try await services.sessions.session(id: try CLIOutput.uuid(id, "id"), actingUser: nil)
                if json { CLIOutput.json(APIRepresentation.session(session)) } else { CLIOutput.describe(session) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's sessions, newest first.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The user (default: the OS user name).") var user: String?
        @Option(help: "Only this project.") var project: String?
        @Flag(help: "Only active sessions.") var activeOnly = false
        @Option(help: "How many (1-200).") var limit = 10
        @Option(help: "How many to skip.") var offset = 0
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await options.withServices { services in
                let page = try await services.sessions.list(
                    userID: user ?? CLIOutput.osUser, projectID: project, activeOnly: activeOnly, limit: limit, offset: offset)
                if json { CLIOutput.json(.array(page.items.map(APIRepresentation.session))); return }
                print("\(page.total) session(s)")
                for session in page.items {
                    print("\(session.id.lowercased)  \(session.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(session.startedAt.iso8601)  \(session.projectID ?? "-")  \(session.memoryCount) memories")
                }
            }
        }
    }

    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a session with its statistics, insights and summary.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The session id.") var id: String
        @Option(help: "normal, timeout, error or user_requested.") var reason: String = "normal"
        @Option(help: "A summary to keep instead of the generated one.") var summary: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let endReason = EndReason(rawValue: reason) else {
                throw ValidationError("--reason must be one of: \(EndReason.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            try await options.withServices { services in
                let session = try await services.sessions.end(
                    id: try CLIOutput.uuid(id, "id"), actingUser: nil, reason: endReason, finalSummary: summary)
                if json { CLIOutput.json(APIRepresentation.session(session)) } else { CLIOutput.describe(session) }
            }
        }
    }
}

/// `memoryhub remember`: stores one memory.
struct RememberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remember", abstract: "Store a memory in a session.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "The session id.") var session: String
    @Option(help: "fact, preference, code, decision, error, pattern or entity.") var type: String = "fact"
    @Option(help: "0 to 1 (default 0.5).") var importance: Double?
    @Option(name: .customLong("entity"), help: "An entity (repeatable).") var entities: [String] = []
    @Option(name: .customLong("tag"), help: "A tag (repeatable).") var tags: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "What to remember.") var content: [String]

    func run() async throws {
        guard let memoryType = MemoryType(rawValue: type) else {
            throw ValidationError("--type must be one of: \(MemoryType.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        try await options.withServices { services in
            let memory = try await services.memories.create(
                NewMemory(
                    sessionID: try CLIOutput.uuid(session, "session"), content: content.joined(separator: " "),
                    memoryType: memoryType, importance: importance, entities: entities, tags: tags),
                actingUser: nil)
            if json { CLIOutput.json(APIRepresentation.memory(memory, now: .now())) } else {
                print("Remembered \(memory.id.lowercased) [\(memory.memoryType.rawValue)]")
            }
        }
    }
}

/// `memoryhub memories`: a session's memories, or a user's most recent ones.
struct MemoriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "memories", abstract: "List a session's memories, or a user's recent ones.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "List this session's memories.") var session: String?
    @Option(help: "Without --session: this user's recent memories (default: the OS user name).") var user: String?
    @Option(help: "Only this type.") var type: String?
    @Option(help: "How many (1-200).") var limit = 20
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let memoryType = try type.map { text in
            guard let value = MemoryType(rawValue: text) else {
                throw ValidationError("--type must be one of: \(MemoryType.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return value
        }
        try await options.withServices { services in
            let memories: [Memory]
            if let session {
                memories = try await services.memories.list(
                    sessionID: try CLIOutput.uuid(session, "session"), actingUser: nil, memoryType: memoryType, minImportance: nil,
                    limit: limit, offset: 0
                ).items
            } else {
                memories = try await services.memories.recent(userID: user ?? CLIOutput.osUser, projectID: nil, limit: limit)
                    .filter { memoryType == nil || $0.memoryType == memoryType }
            }
            let now = Timestamp.now()
            if json { CLIOutput.json(.array(memories.map { APIRepresentation.memory($0, now: now) })); return }
            for memory in memories {
                print("\(memory.id.lowercased)  [\(memory.memoryType.rawValue)] importance \(memory.importance)  \(memory.createdAt.iso8601)")
                print("    \(memory.content.replacingOccurrences(of: "\n", with: "\n    "))")
            }
        }
    }
}

/// Printing for the CLI.
enum CLIOutput {
    static var osUser: String {
        GlobalOptions.environment["USER"] ?? GlobalOptions.environment["LOGNAME"] ?? "user"
    }

    static func uuid(_ text: String, _ name: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw ValidationError("\(name) must be a UUID, not '\(text)'.") }
        return id
    }

    static func json(_ value: JSONValue) {
        print(JSONWriter.string(value))
    }

    /// The text on one line, shortened to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        let folded = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return folded.count <= limit ? folded : String(folded.prefix(limit - 1)) + "…"
    }

    static func describe(_ session: Session) {
        print("""
            id:       \(session.id.lowercased)
            user:     \(session.userID)
            project:  \(session.projectID ?? "-")
            state:    \(session.state.rawValue)\(session.endReason.map { " (\($0))" } ?? "")
            started:  \(session.startedAt.iso8601)
            parent:   \(session.parentSessionID?.lowercased ?? "-")
            tags:     \(session.tags.joined(separator: ", "))
            memories: \(session.memoryCount)
            """)
        if let summary = session.summary { print("summary:\n\(summary)") }
    }
}
