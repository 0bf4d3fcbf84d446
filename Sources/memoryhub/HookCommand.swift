import ArgumentParser
import Embeddings
import Logging
import MemoryCore
import MemoryHooks
import MemoryService
import Foundation

/// `memoryhub hook EVENT`: a Claude Code hook. Reads the hook's JSON on stdin, prints what the
/// assistant should read (session-start, user-prompt-submit), and always exits 0: a failure prints
/// nothing and leaves its reason in the hook log.
struct HookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run a Claude Code hook: session-start, user-prompt-submit, pre-compact, stop, session-end or post-tool-use.")

    @Argument(help: "session-start, user-prompt-submit, pre-compact, stop, session-end or post-tool-use.")
    var event: String

    @OptionGroup var options: GlobalOptions

    @Option(help: "The user (env MEMORYHUB_USER; default: the OS user name).")
    var user: String?

    @Option(help: "The project (env MEMORYHUB_PROJECT; default: from the hook's cwd, the enclosing git repository's folder name).")
    var project: String?

    @Option(help: "Where failures are logged (env MEMORYHUB_HOOK_LOG; default ~/.local/share/memoryhub/hooks.log).")
    var logFile: String?

    @Flag(help: "user-prompt-submit: search by meaning too (loads the embedding model: slower; see BENCHMARKS.md) (env MEMORYHUB_HOOK_SEMANTIC=on).")
    var semantic = false

    @Option(help: "Seconds after which the hook gives up quietly (env MEMORYHUB_HOOK_TIMEOUT; default 10).")
    var timeout: Double?

    @Option(help: "session-start: tokens the printed context may hold (env MEMORYHUB_HOOK_CONTEXT_TOKENS; default 1500).")
    var contextTokens: Int?

    @Option(help: "user-prompt-submit: tokens the printed memories may hold (env MEMORYHUB_HOOK_PROMPT_TOKENS; default 600).")
    var promptTokens: Int?

    @Flag(help: "Print no context at session start or on prompts (env MEMORYHUB_HOOK_INJECT=off); sessions and capture go on.")
    var noInject = false

    @Option(help: "A running memoryhub serve to ask, e.g. http://127.0.0.1:8080 (a trailing /mcp is dropped) (env MEMORYHUB_SERVER_URL; default: the server whose runtime file sits next to the SQLite database, if any). MEMORYHUB_API_KEY is sent as the Bearer key.")
    var serverURL: String?

    @Flag(help: "Never ask a server; always open the database (env MEMORYHUB_HOOK_SERVER=off).")
    var noServer = false

    static var defaultFolder: String {
        (GlobalOptions.environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.local/share/memoryhub"
    }

    static func failureLog(_ path: String?) -> HookFailureLog {
        HookFailureLog(path: path ?? GlobalOptions.environment["MEMORYHUB_HOOK_LOG"] ?? defaultFolder + "/hooks.log")
    }

    func run() async throws {
        let log = Self.failureLog(logFile)
        let stdin = FileHandle.standardInput.readDataToEndOfFile()
        let input: HookInput
        do {
            input = try HookInput.parse(stdin)
        } catch {
            log.append(event: event, sessionID: nil, message: "unreadable hook input: \(error)")
            return
        }
        guard let hookEvent = HookEvent(rawValue: event) else {
            log.append(event: event, sessionID: input.sessionID, message: "unknown hook event; expected one of \(HookEvent.allCases.map(\.rawValue).joined(separator: ", "))")
            return
        }
        let seconds = timeout ?? GlobalOptions.environment["MEMORYHUB_HOOK_TIMEOUT"].flatMap(Double.init) ?? 10
        Self.exitQuietly(after: seconds, log: log, event: event, sessionID: input.sessionID)
        let started = ContinuousClock.now
        if let server = server() {
            // No timeout (0) leaves the server an hour.
            let remaining = (seconds > 0 ? Duration.milliseconds(Int64(seconds * 1000)) : .seconds(3600)) - (ContinuousClock.now - started)
            if let output = await ask(server, hookEvent, stdin: stdin, input: input, budget: remaining, log: log) {
                Self.write(output)
                return
            }
        }
        do {
            let output = try await handle(hookEvent, input: input, log: log)
            Self.write(output)
        } catch let partial as PartialOutput {
            Self.write(partial.output)
            log.append(event: event, sessionID: input.sessionID, message: Self.describe(partial.error))
        } catch {
            log.append(event: event, sessionID: input.sessionID, message: Self.describe(error))
        }
    }

    /// The server to ask: the configured URL, else the one whose runtime file sits next to the
    /// SQLite database while its process lives; nil for none (or `--no-server`).
    private func server() -> HookServerClient.Server? {
        let environment = GlobalOptions.environment
        guard !(noServer || environment["MEMORYHUB_HOOK_SERVER"]?.lowercased() == "off") else { return nil }
        let key = environment["MEMORYHUB_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        // A user key acts as its own user: name one only when asked to, or when no key is sent.
        let namedUser = user ?? environment["MEMORYHUB_USER"].flatMap { $0.isEmpty ? nil : $0 }
        let userID = key == nil ? (namedUser ?? CLIOutput.osUser) : namedUser
        if let url = configuredServerURL {
            return HookServerClient.Server(baseURL: url, apiKey: key, userID: userID)
        }
        guard let deployment = try? options.deployment, !deployment.isPostgres,
            let file = ServeRuntimeFile.read(atPath: ServeRuntimeFile.path(forDatabase: deployment.sqlitePath)), file.processIsAlive
        else { return nil }
        return HookServerClient.Server(baseURL: file.url, apiKey: key, userID: userID)
    }

    /// The server URL the flag or environment names, if any.
    private var configuredServerURL: String? {
        (serverURL ?? GlobalOptions.environment["MEMORYHUB_SERVER_URL"]).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
    }

    /// Asks `server` to run the hook; returns what to print, or nil when the server never handled
    /// the request (the hook then opens the database itself). A server that fails or is slow
    /// gets no second try here: the hook prints nothing and logs why (an empty string).
    private func ask(_ server: HookServerClient.Server, _ event: HookEvent, stdin: Data, input: HookInput, budget: Duration, log: HookFailureLog) async -> String? {
        let environment = GlobalOptions.environment
        guard case .object(let object)? = try? JSONParser.parse(stdin) else { return nil }
        var request = HookRequest(input: object, projectID: project ?? environment["MEMORYHUB_PROJECT"])
        request.contextTokens = max(0, contextTokens ?? environment["MEMORYHUB_HOOK_CONTEXT_TOKENS"].flatMap(Int.init) ?? 1500)
        request.promptTokens = max(0, promptTokens ?? environment["MEMORYHUB_HOOK_PROMPT_TOKENS"].flatMap(Int.init) ?? 600)
        request.injectContext = !(noInject || environment["MEMORYHUB_HOOK_INJECT"]?.lowercased() == "off")
        let capture = event == .preCompact || event == .stop || event == .sessionEnd
        if capture, let path = input.transcriptPath {
            // The server never reads a path a client names: the hook reads the transcript and sends its turns.
            let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            do {
                request.transcriptTurns = try TranscriptReader().turns(atPath: ClaudeCodeHooks.expandingTilde(path, home: home))
            } catch {
                log.append(event: self.event, sessionID: input.sessionID, message: Self.describe(error))
                guard event == .sessionEnd else { return "" }
            }
        }
        // The assistant waits for session-start and user-prompt-submit: a healthy server answers in
        // milliseconds, so a slow one is given up on soon; capture may use the hook's whole budget.
        let wait = capture ? budget - .milliseconds(500) : min(budget - .milliseconds(200), .seconds(3))
        guard wait > .zero else { return nil }
        // A server found through its runtime file is on this machine: it accepts at once or not at all.
        let connectWait: Duration = configuredServerURL == nil ? .milliseconds(300) : .seconds(1)
        switch await HookServerClient().send(event, request, to: server, timeout: wait, connectTimeout: min(connectWait, wait)) {
        case .answered(let output, let warning):
            if let warning { log.append(event: self.event, sessionID: input.sessionID, message: warning) }
            return output
        case .unreachable(let reason):
            // A stale runtime file is ordinary (the server was killed); a configured server is worth a line.
            if configuredServerURL != nil {
                log.append(event: self.event, sessionID: input.sessionID, message: reason + "; using the database")
            }
            return nil
        case .failed(let reason):
            log.append(event: self.event, sessionID: input.sessionID, message: reason)
            return ""
        }
    }

    private func handle(_ event: HookEvent, input: HookInput, log: HookFailureLog) async throws -> String {
        let logger = options.bootstrapLogging(defaultLevel: "warning")
        // Loading the model costs more than the whole search (BENCHMARKS.md "Hook latency"), and the
        // assistant waits for this hook on every prompt: words only, unless asked.
        var embedder: (any Embedder)?
        let semantic = semantic || GlobalOptions.environment["MEMORYHUB_HOOK_SEMANTIC"]?.lowercased() == "on"
        if event == .userPromptSubmit && semantic {
            do {
                embedder = try options.embeddingOptions.embedder(logger: logger)
            } catch {
                log.append(event: self.event, sessionID: input.sessionID, message: "searching by words only: \(Self.describe(error))")
            }
        }
        var deployment = try options.deployment
        // A database another process keeps locked must not hold up the prompt (nor a capture for long).
        deployment.sqliteBusyTimeout = event == .sessionStart || event == .userPromptSubmit ? .seconds(1) : .seconds(5)
        let services = try MemoryHubServices.open(deployment, embedder: embedder, logger: logger)
        let environment = GlobalOptions.environment
        var configuration = ClaudeCodeHooks.Configuration(
            userID: user ?? environment["MEMORYHUB_USER"] ?? CLIOutput.osUser,
            projectID: project ?? environment["MEMORYHUB_PROJECT"],
            lockFolder: Self.defaultFolder + "/locks",
            homeDirectory: environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path)
        configuration.lockTimeout = .seconds(8)
        configuration.contextTokens = max(0, contextTokens ?? environment["MEMORYHUB_HOOK_CONTEXT_TOKENS"].flatMap(Int.init) ?? 1500)
        configuration.promptTokens = max(0, promptTokens ?? environment["MEMORYHUB_HOOK_PROMPT_TOKENS"].flatMap(Int.init) ?? 600)
        configuration.injectContext = !(noInject || environment["MEMORYHUB_HOOK_INJECT"]?.lowercased() == "off")
        let hooks = ClaudeCodeHooks(services: services, configuration: configuration, logger: logger)
        return try await services.withBackgroundServices { _ in try await hooks.handle(event, input: input) }
    }

    private static func write(_ output: String) {
        guard !output.isEmpty else { return }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? MemoryHubError { return error.debugDescription }
        return String(reflecting: error)
    }

    /// A hook must never hold the assistant up: past the deadline, log and exit 0 from a timer
    /// thread, whatever the work is blocked on.
    private static func exitQuietly(after seconds: Double, log: HookFailureLog, event: String, sessionID: String?) {
        guard seconds > 0 else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            log.append(event: event, sessionID: sessionID, message: "gave up after \(seconds) s")
            Foundation.exit(0)
        }
    }
}
