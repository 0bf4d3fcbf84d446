import ArgumentParser

/// `memoryhub`: the one executable. Each subcommand reads its flags and environment here and
/// nowhere else, then hands configuration structs to the library modules.
@main
struct MemoryHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memoryhub",
        abstract: "Persistent memory for AI coding assistants.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, SessionCommand.self, RememberCommand.self, MemoriesCommand.self,
            SearchCommand.self, ContextCommand.self, EvalCommand.self,
        ])
}
