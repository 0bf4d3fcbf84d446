import Foundation
import MemoryCore
import Testing

/// Where the real binary and the MCP Python SDK are. `make test` sets both; plain `swift test`
/// uses what it finds and skips the suites that need what is missing.
enum MCPTestEnvironment {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: String? = {
        if let path = ProcessInfo.processInfo.environment["MEMORYHUB_BINARY"] { return path }
        let candidate = root.appendingPathComponent(".build/debug/memoryhub").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    /// Set by scripts/test.sh (scripts/mcp-venv.sh makes the venv); else the venv if it exists.
    static let python: String? = {
        if let path = ProcessInfo.processInfo.environment["MEMORYHUB_MCP_PYTHON"] { return path }
        let candidate = root.appendingPathComponent(".build/mcp-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    static let scripts = root.appendingPathComponent("Tests/MemoryMCPTests/python").path

    static func temporaryFolder(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// A child process whose stdin comes from a file (or nothing) and whose stdout and stderr go to
/// files, so nothing blocks on a pipe whatever the child (or its children) do.
struct ChildProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var json: JSONValue? { try? JSONParser.parse(stdout) }
    }

    static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        currentDirectory: String? = nil, timeout: Duration = .seconds(600)
    ) async throws -> Result {
        let folder = try MCPTestEnvironment.temporaryFolder("child")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("stdin")
        let output = folder.appendingPathComponent("stdout")
        let errors = folder.appendingPathComponent("stderr")
        try Data((stdin ?? "").utf8).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let inputHandle = try FileHandle(forReadingFrom: input)
        let outputHandle = try FileHandle(forWritingTo: output)
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer {
            try? inputHandle.close()
            try? outputHandle.close()
            try? errorHandle.close()
        }
        process.standardInput = inputHandle
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}

/// `memoryhub serve --port 0` on a database, its log in a file; stopped with SIGTERM.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let logFile: URL
    private(set) var base = ""

    init(binary: String, database: String, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        let folder = try MCPTestEnvironment.temporaryFolder("serve")
        logFile = folder.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--database", database] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits for "listening on http://HOST:PORT" and returns the base URL.
    func waitForAddress(timeout: Duration = .seconds(120)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let range = log.range(of: #"listening on (http://[0-9.]+:[0-9]+)"#, options: .regularExpression) {
                base = String(log[range].dropFirst("listening on ".count))
                return base
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServeStartError(log: log)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}

struct ServeStartError: Error, CustomStringConvertible {
    let log: String
    var description: String { "memoryhub serve did not report its address; its log:\n\(log)" }
}

/// The checks a Python client script reported, asserted one by one so a failure names itself.
func expectChecks(_ result: ChildProcess.Result, minimum: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let report = result.json?.objectValue else {
        Issue.record("the client printed no JSON report (status \(result.status))\nstdout:\n\(result.stdout)\nstderr:\n\(result.stderr.suffix(4000))", sourceLocation: sourceLocation)
        return
    }
    if let error = report["error"]?.stringValue {
        Issue.record("the client failed: \(error)\nstderr:\n\(result.stderr.suffix(4000))", sourceLocation: sourceLocation)
    }
    let checks = report["checks"]?.arrayValue ?? []
    #expect(checks.count >= minimum, "only \(checks.count) checks ran", sourceLocation: sourceLocation)
    for check in checks {
        let object = check.objectValue ?? [:]
        let name = object["name"]?.stringValue ?? "?"
        #expect(object["ok"] == .bool(true), "\(name): \(object["detail"]?.stringValue ?? "")", sourceLocation: sourceLocation)
    }
}
