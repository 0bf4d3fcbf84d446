import Foundation
import MemoryCore
import Testing

/// Where the real binary and the browser's Python are. `make test` sets both
/// (`MEMORYHUB_BINARY`, `MEMORYHUB_PAGES_PYTHON` from scripts/pages-venv.sh); plain `swift test`
/// uses what it finds and skips the browser suite when something is missing.
enum PagesTestEnvironment {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: String? = {
        if let path = ProcessInfo.processInfo.environment["MEMORYHUB_BINARY"] { return path }
        let candidate = root.appendingPathComponent(".build/debug/memoryhub").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    static let python: String? = {
        if let path = ProcessInfo.processInfo.environment["MEMORYHUB_PAGES_PYTHON"] { return path }
        let candidate = root.appendingPathComponent(".build/pages-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    static let hasBrowser = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")

    static let scripts = root.appendingPathComponent("Tests/MemoryPagesTests/python").path

    /// Where the browser test writes its screenshots (kept after the run, for a person to look at).
    static let screenshots = ProcessInfo.processInfo.environment["MEMORYHUB_PAGE_SCREENSHOTS"]
        ?? root.appendingPathComponent(".build/page-screenshots").path

    static func temporaryFolder(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs blocking work (waiting for a child process) on a dispatch thread, never on one of
    /// the two cooperative threads every other test's async work needs.
    static func offTheExecutor<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// `memoryhub serve --port 0` on a database, its log in a file; stopped with SIGTERM.
final class PagesServer: @unchecked Sendable {
    let process = Process()
    let logFile: URL

    init(binary: String, database: String, arguments: [String], environment: [String: String]) throws {
        let folder = try PagesTestEnvironment.temporaryFolder("pages-serve")
        logFile = folder.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--database", database] + arguments
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
                return String(log[range].dropFirst("listening on ".count))
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PagesServerError(log: log)
    }

    /// SIGTERM, then waits for the exit off the cooperative pool.
    func stop() async throws {
        guard process.isRunning else { return }
        process.terminate()
        let process = self.process
        try await PagesTestEnvironment.offTheExecutor { process.waitUntilExit() }
    }
}

struct PagesServerError: Error, CustomStringConvertible {
    let log: String
    var description: String { "memoryhub serve did not report its address; its log:\n\(log)" }
}

/// A child process whose output goes to files; waited for off the cooperative pool.
enum PagesChildProcess {
    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 600) async throws -> Result {
        let folder = try PagesTestEnvironment.temporaryFolder("pages-child")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("stdout"), errors = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let status = try await PagesTestEnvironment.offTheExecutor { () -> Int32 in
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return process.terminationStatus
        }
        return Result(
            status: status, stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}

/// The checks a Python script reported, each asserted on its own so a failure names itself.
func expectPageChecks(_ result: PagesChildProcess.Result, minimum: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let report = (try? JSONParser.parse(result.stdout))?.objectValue else {
        Issue.record("the script printed no JSON report (status \(result.status))\nstdout:\n\(result.stdout.suffix(4000))\nstderr:\n\(result.stderr.suffix(4000))", sourceLocation: sourceLocation)
        return
    }
    if let error = report["error"]?.stringValue {
        Issue.record("the script failed: \(error)\nstderr:\n\(result.stderr.suffix(4000))", sourceLocation: sourceLocation)
    }
    let checks = report["checks"]?.arrayValue ?? []
    #expect(checks.count >= minimum, "only \(checks.count) checks ran", sourceLocation: sourceLocation)
    for check in checks {
        let object = check.objectValue ?? [:]
        let name = object["name"]?.stringValue ?? "?"
        #expect(object["ok"] == .bool(true), "\(name): \(object["detail"]?.stringValue ?? "")", sourceLocation: sourceLocation)
    }
}
