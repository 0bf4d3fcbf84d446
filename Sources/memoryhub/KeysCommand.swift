import ArgumentParser
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

/// `memoryhub keys create|list|revoke`: API keys on the configured database (API.md "Access").
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is printed once and only its digest is stored.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The user the key acts as.") var user: String
        @Option(help: "A label, such as laptop or ci.") var name: String?
        @Flag(help: "An admin key: may act for any user and use the admin routes.") var admin = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await options.withServices(embeddings: false) { services in
                let (key, text) = try await services.keys.create(userID: user, name: name, admin: admin)
                if json {
                    CLIOutput.json(APIRepresentation.apiKey(key, text: text))
                } else {
                    print(text)
                    FileHandle.standardError.write(Data(
                        "Key \(key.id.lowercased) for \(key.userID)\(key.isAdmin ? " (admin)" : ""). Store it now: it is not shown again.\n".utf8))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves), newest first.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only this user's keys.") var user: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await options.withServices(embeddings: false) { services in
                let keys = try await services.keys.list(userID: user)
                if json {
                    CLIOutput.json(.array(keys.map { APIRepresentation.apiKey($0) }))
                    return
                }
                for key in keys {
                    var line = "\(key.id.lowercased)  \(key.userID)"
                    if key.isAdmin { line += "  admin" }
                    if let name = key.name { line += "  \"\(name)\"" }
                    line += "  created \(key.createdAt.iso8601)"
                    if let used = key.lastUsedAt { line += "  used \(used.iso8601)" }
                    if let revoked = key.revokedAt { line += "  REVOKED \(revoked.iso8601)" }
                    print(line)
                }
                if keys.isEmpty { print("No keys.") }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key; every server stops accepting it within seconds (KeyManager's cache time, 2 s).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The key's id (from keys list).") var id: String

        func run() async throws {
            try await options.withServices(embeddings: false) { services in
                let key = try await services.keys.revoke(id: try CLIOutput.uuid(id, "id"))
                print("Revoked key \(key.id.lowercased) of \(key.userID).")
            }
        }
    }
}
