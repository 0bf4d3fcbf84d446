import Foundation
import ProcessTestSupport
import Testing

/// The Claude Code plugin (`plugin/`) and its marketplace (`.claude-plugin/marketplace.json`):
/// the files have the shapes Claude Code's plugin docs require, every script they name exists and
/// is executable, and the scripts do what the hooks and the MCP server need.
@Suite struct PluginFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let pluginFolder = root.appendingPathComponent("plugin")
    static let hookScript = pluginFolder.appendingPathComponent("scripts/memoryhub-hook")
    static let mcpScript = pluginFolder.appendingPathComponent("scripts/memoryhub-mcp")

    /// Each hook event the plugin handles, and the `memoryhub hook` event it runs.
    static let hookEvents = [
        "SessionStart": "session-start", "UserPromptSubmit": "user-prompt-submit", "PreCompact": "pre-compact",
        "Stop": "stop", "PostToolUse": "post-tool-use", "SessionEnd": "session-end",
    ]
    /// The documented fields of a `userConfig` option (a strict object: any other key fails to load).
    static let userConfigFields: Set<String> = [
        "type", "title", "description", "required", "default", "options", "multiple", "sensitive", "min", "max",
    ]

    @Test func marketplaceListsThePlugin() throws {
        let marketplace = try Self.json(".claude-plugin/marketplace.json")
        #expect(marketplace["name"] as? String == "memoryhub")
        let owner = try #require(marketplace["owner"] as? [String: Any], "owner is required")
        #expect((owner["name"] as? String)?.isEmpty == false)
        let plugins = try #require(marketplace["plugins"] as? [[String: Any]])
        #expect(plugins.count == 1)
        let entry = try #require(plugins.first)
        #expect(entry["name"] as? String == "memoryhub")
        let source = try #require(entry["source"] as? String)
        #expect(source == "./plugin")
        // A relative source resolves against the marketplace root, the folder holding .claude-plugin/.
        let manifest = Self.root.appendingPathComponent(source).appendingPathComponent(".claude-plugin/plugin.json")
        #expect(FileManager.default.fileExists(atPath: manifest.path))
    }

    @Test func manifestHasTheDocumentedShape() throws {
        let manifest = try Self.json("plugin/.claude-plugin/plugin.json")
        let name = try #require(manifest["name"] as? String)
        #expect(name == "memoryhub")
        #expect(try Self.matches(name, "[a-z0-9]+(-[a-z0-9]+)*"), "name is kebab-case")
        let version = try #require(manifest["version"] as? String)
        #expect(try Self.matches(version, #"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"#), "version \(version) is semver")
        #expect((manifest["description"] as? String)?.isEmpty == false)
        let author = try #require(manifest["author"] as? [String: Any])
        #expect((author["name"] as? String)?.isEmpty == false)
        #expect(manifest["repository"] is String)
        let keywords = try #require(manifest["keywords"] as? [Any])
        #expect(!keywords.isEmpty && keywords.allSatisfy { $0 is String })
        if let license = manifest["license"] { #expect(license is String) }

        let options = try #require(manifest["userConfig"] as? [String: Any])
        #expect(Set(options.keys) == ["server_url", "api_key", "user"])
        for (key, value) in options {
            #expect(try Self.matches(key, "[A-Za-z_][A-Za-z0-9_]*"), "option key \(key) is an identifier")
            let option = try #require(value as? [String: Any], "option \(key) is an object")
            #expect(Set(option.keys).isSubset(of: Self.userConfigFields), "option \(key) has only documented fields: \(option.keys.sorted())")
            #expect(["string", "number", "boolean", "directory", "file"].contains(option["type"] as? String ?? ""), "option \(key) has a type")
            #expect((option["title"] as? String)?.isEmpty == false, "option \(key) has a title")
            #expect((option["description"] as? String)?.isEmpty == false, "option \(key) has a description")
            if let sensitive = option["sensitive"] { #expect(sensitive is Bool) }
            #expect(option["required"] as? Bool != true, "option \(key) is optional: the plugin works without it")
        }
        let apiKey = try #require(options["api_key"] as? [String: Any])
        #expect(apiKey["sensitive"] as? Bool == true, "the API key goes to secure storage, not settings.json")
        for key in ["server_url", "user"] {
            let option = try #require(options[key] as? [String: Any])
            #expect(option["sensitive"] as? Bool != true)
        }
    }

    @Test func hooksCoverTheSixEvents() throws {
        let file = try Self.json("plugin/hooks/hooks.json")
        let hooks = try #require(file["hooks"] as? [String: Any], "hooks.json wraps the events in a top-level \"hooks\" key")
        #expect(Set(hooks.keys) == Set(Self.hookEvents.keys))
        for (event, argument) in Self.hookEvents {
            let groups = try #require(hooks[event] as? [[String: Any]], "\(event) is an array of matcher groups")
            #expect(!groups.isEmpty)
            var matched: Set<String> = []
            for group in groups {
                if let matcher = group["matcher"] as? String {
                    matched.formUnion(matcher.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) })
                }
                let handlers = try #require(group["hooks"] as? [[String: Any]])
                #expect(!handlers.isEmpty)
                for handler in handlers {
                    #expect(handler["type"] as? String == "command")
                    #expect(Self.integer(handler["timeout"]) == 15, "\(event) times out after 15 s")
                    let isAsync = handler["async"] as? Bool ?? false
                    // Stop and PostToolUse must not hold the assistant up; SessionStart and
                    // UserPromptSubmit print context, which only a synchronous hook can give.
                    #expect(isAsync == (event == "Stop" || event == "PostToolUse"), "\(event) async is \(isAsync)")
                    let command = try #require(handler["command"] as? String)
                    #expect(command.hasPrefix("\"${CLAUDE_PLUGIN_ROOT}/scripts/"), "\(event): \(command)")
                    let (script, arguments) = try Self.split(command)
                    #expect(arguments == [argument], "\(event) runs memoryhub-hook \(argument)")
                    #expect(FileManager.default.isExecutableFile(atPath: script.path), "\(script.path) exists and is executable")
                }
            }
            switch event {
            case "SessionStart": #expect(matched == ["startup", "resume", "clear", "compact"])
            case "PostToolUse": #expect(matched == ["Bash", "Edit", "MultiEdit", "Write", "NotebookEdit"])
            default: #expect(matched.isEmpty, "\(event) runs on every occurrence")
            }
        }
    }

    @Test func mcpServerRunsTheBundledScript() throws {
        let file = try Self.json("plugin/.mcp.json")
        let servers = try #require(file["mcpServers"] as? [String: Any])
        let local = try #require(servers["memoryhub"] as? [String: Any])
        #expect(local["type"] == nil || local["type"] as? String == "stdio")
        let command = try #require(local["command"] as? String)
        #expect(command == "${CLAUDE_PLUGIN_ROOT}/scripts/memoryhub-mcp")
        let script = Self.pluginFolder.appendingPathComponent(String(command.dropFirst("${CLAUDE_PLUGIN_ROOT}/".count)))
        #expect(FileManager.default.isExecutableFile(atPath: script.path))
        // The local server must start whatever the options hold: it references none of them.
        let localText = String(decoding: try JSONSerialization.data(withJSONObject: local), as: UTF8.self)
        #expect(!localText.contains("user_config"))

        // Every ${user_config.KEY} the servers reference is an option the manifest declares.
        let text = try String(contentsOf: Self.pluginFolder.appendingPathComponent(".mcp.json"), encoding: .utf8)
        let options = try #require(try Self.json("plugin/.claude-plugin/plugin.json")["userConfig"] as? [String: Any])
        for match in text.matches(of: try Regex(#"\$\{user_config\.([A-Za-z0-9_]+)\}"#)) {
            let key = try #require(match.output[1].substring)
            #expect(options[String(key)] != nil, "${user_config.\(key)} is declared")
        }
        // A remote server has a type (a url without one is read as a broken stdio entry).
        for (name, value) in servers where name != "memoryhub" {
            let server = try #require(value as? [String: Any])
            if server["url"] != nil { #expect(["http", "sse", "ws"].contains(server["type"] as? String ?? ""), "\(name) has a type") }
        }
    }

    @Test func hookWithoutABinaryExitsQuietly() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.run(Self.hookScript, ["stop"], stdin: "{}", environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func scriptsPassTheOptionsAndKeepTheUsersDatabase() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try Self.fakeBinary(in: folder)
        let data = folder.appendingPathComponent("data")
        let home = folder.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": home.path, "MEMORYHUB_BINARY": binary.path,
            "CLAUDE_PLUGIN_DATA": data.path, "CLAUDE_PLUGIN_OPTION_USER": "alice",
            "CLAUDE_PLUGIN_OPTION_SERVER_URL": "", "CLAUDE_PLUGIN_OPTION_API_KEY": "",
        ]
        // The log goes to the plugin's data folder; the memories stay in the user's database
        // (the binary's default), never in the folder that uninstalling deletes.
        let hook = try Self.run(Self.hookScript, ["session-start"], stdin: #"{"session_id":"s"}"#, environment: environment)
        #expect(hook.status == 0, "stderr: \(hook.stderr)")
        #expect(hook.stdout == """
            args: hook session-start --log-file \(data.path)/hooks.log
            user: alice
            database: <unset>
            stdin: {"session_id":"s"}

            """)

        // The MCP server gets no option variables: it reads the user the hooks left for it.
        var mcpEnvironment = environment
        mcpEnvironment["CLAUDE_PLUGIN_OPTION_USER"] = nil
        let mcp = try Self.run(Self.mcpScript, [], stdin: "", environment: mcpEnvironment)
        #expect(mcp.status == 0, "stderr: \(mcp.stderr)")
        #expect(mcp.stdout == """
            args: mcp
            user: alice
            database: <unset>
            stdin: \n
            """)

        // A database the user names is passed on unchanged.
        var named = environment
        named["MEMORYHUB_DATABASE_URL"] = folder.appendingPathComponent("mine.sqlite").path
        let result = try Self.run(Self.hookScript, ["stop"], stdin: "{}", environment: named)
        #expect(result.stdout.contains("database: \(folder.path)/mine.sqlite\n"), "\(result.stdout)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["MEMORYHUB_BINARY"] != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func hookRunsTheRealBinary() throws {
        let binary = try #require(ProcessInfo.processInfo.environment["MEMORYHUB_BINARY"])
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        let input = try JSONSerialization.data(withJSONObject: [
            "session_id": "plugin-test", "cwd": folder.path, "hook_event_name": "SessionStart", "source": "startup",
        ])
        let result = try Self.run(Self.hookScript, ["session-start"], stdin: String(decoding: input, as: UTF8.self), environment: [
            "PATH": "/usr/bin:/bin", "HOME": folder.path, "MEMORYHUB_BINARY": binary,
            "CLAUDE_PLUGIN_DATA": data.path, "MEMORYHUB_DATABASE_URL": folder.appendingPathComponent("memoryhub.sqlite").path,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("<memoryhub-context>"), "stdout: \(result.stdout); hooks.log: \((try? String(contentsOf: data.appendingPathComponent("hooks.log"), encoding: .utf8)) ?? "")")
    }

    // MARK: - Helpers

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(path) is a JSON object")
    }

    static func integer(_ value: Any?) -> Int? {
        if let value = value as? Int { return value }
        return (value as? NSNumber)?.intValue
    }

    static func matches(_ text: String, _ pattern: String) throws -> Bool {
        text.wholeMatch(of: try Regex(pattern)) != nil
    }

    /// A shell-form hook command `"${CLAUDE_PLUGIN_ROOT}/scripts/script" arg …`: the script, with the
    /// plugin root substituted, and the arguments.
    static func split(_ command: String) throws -> (URL, [String]) {
        let rest = command.dropFirst()
        let close = try #require(rest.firstIndex(of: "\""), "the script path is quoted: \(command)")
        let path = String(rest[..<close]).replacingOccurrences(of: "${CLAUDE_PLUGIN_ROOT}", with: pluginFolder.path)
        let arguments = rest[rest.index(after: close)...].split(separator: " ").map(String.init)
        return (URL(fileURLWithPath: path), arguments)
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A stand-in `memoryhub` that prints its arguments, the variables the scripts set, and its stdin.
    static func fakeBinary(in folder: URL) throws -> URL {
        let binary = folder.appendingPathComponent("fake-memoryhub")
        let script = """
            #!/bin/sh
            echo "args: $*"
            echo "user: ${MEMORYHUB_USER-<unset>}"
            echo "database: ${MEMORYHUB_DATABASE_URL-<unset>}"
            printf 'stdin: %s\\n' "$(cat)"

            """
        try script.write(to: binary, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary.path)
        return binary
    }

    /// Runs `script` with exactly `environment`, in an empty folder; stdin, stdout and stderr are
    /// files, so nothing can block on a pipe or raise SIGPIPE here. Stops the script after 60 s.
    static func run(_ script: URL, _ arguments: [String], stdin: String, environment: [String: String]) throws -> SpawnedProcess.Output {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        return try SpawnedProcess.run(
            script.path, arguments, environment: environment, inheritEnvironment: false, stdin: stdin,
            currentDirectory: folder.path, timeout: .seconds(60))
    }
}
