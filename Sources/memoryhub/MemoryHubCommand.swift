import ArgumentParser
import Foundation
import MemoryHooks
import MemoryMCP

/// `memoryhub`: the one executable. Each subcommand reads its flags and environment here and
/// nowhere else, then hands configuration structs to the library modules.
@main
struct MemoryHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memoryhub",
        abstract: "Persistent memory for AI coding assistants.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, MCPCommand.self, HookCommand.self, SessionCommand.self,
            RememberCommand.self, MemoriesCommand.self, SearchCommand.self, ContextCommand.self, EvalCommand.self, KeysCommand.self,
            ExportCommand.self, ImportCommand.self,
        ])

    /// As ArgumentParser's, except that `memoryhub hook` exits 0 even when its own command line
    /// is wrong: a hook must never break the assistant (the reason goes to the hook log).
    static func main() async {
        // A hook's command line never fails loudly, but asking for help at a terminal gets it.
        let requested = CommandLine.arguments.dropFirst()
        if requested.first == "hook", requested.contains(where: { ["--help", "-h", "help"].contains($0) }) {
            print(helpMessage(for: HookCommand.self))
            return
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let arguments = CommandLine.arguments.dropFirst()
            if arguments.first == "hook" && !(error is CleanExit) {
                HookCommand.failureLog(nil).append(
                    event: arguments.dropFirst().first ?? "-", sessionID: nil, message: "bad command line: \(fullMessage(for: error))")
                Foundation.exit(0)
            }
            exit(withError: error)
        }
    }
}
