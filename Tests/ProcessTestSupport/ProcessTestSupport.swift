package import Foundation
package import MemoryCore
package import Testing

/// What the suites that run the real `memoryhub` binary share (the MCP, hook and page tests).
package enum ProcessTestSupport {
    /// The repository's root.
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `MEMORYHUB_BINARY` (`make test` sets it), else `.build/debug/memoryhub` when it exists.
    package static let binary: String? = {
        if let path = ProcessInfo.processInfo.environment["MEMORYHUB_BINARY"] { return path }
        let candidate = root.appendingPathComponent(".build/debug/memoryhub").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    /// The python of a test virtualenv: `environment` when set, else `.build/VENV/bin/python` when it exists.
    package static func python(environment name: String, venv: String) -> String? {
        if let path = ProcessInfo.processInfo.environment[name] { return path }
        let candidate = root.appendingPathComponent(".build/\(venv)/bin/python").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// A new folder under the temporary directory.
    package static func temporaryFolder(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs blocking work (waiting for a child process) on a dispatch thread, never on one of
    /// the two cooperative threads every other test's async work needs.
    package static func offTheExecutor<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// A child process whose stdin comes from a file (or nothing) and whose stdout and stderr go to
/// files, so nothing blocks on a pipe whatever the child (or its children) do.
package enum ChildProcess {
    package typealias Result = SpawnedProcess.Output

    /// ``SpawnedProcess/run(_:_:environment:inheritEnvironment:stdin:currentDirectory:timeout:)``,
    /// waited for on a dispatch thread, never on the cooperative pool.
    package static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        currentDirectory: String? = nil, timeout: Duration = .seconds(600)
    ) async throws -> Result {
        try await ProcessTestSupport.offTheExecutor {
            try SpawnedProcess.run(
                executable, arguments, environment: environment, stdin: stdin ?? "", currentDirectory: currentDirectory, timeout: timeout)
        }
    }
}

extension SpawnedProcess.Output {
    /// stdout as JSON, or nil.
    package var json: JSONValue? { try? JSONParser.parse(stdout) }
}

/// A `memoryhub` server child process whose stderr goes to a file, so the test can find the
/// address it listens on and read its log. Stopped with SIGTERM (at the latest when released).
///
/// The log is a file, not a pipe: a `FileHandle.readabilityHandler` on a pipe crashed the test
/// process in Foundation's read now and then on Linux (swift-corelibs-foundation #3276).
package final class ServeProcess: @unchecked Sendable {
    package let process: SpawnedProcess
    package let logFile: URL
    package private(set) var base = ""

    /// `binary ARGUMENTS`, e.g. `["serve", "--port", "0", "--database", path]`.
    package init(binary: String, arguments: [String], environment: [String: String] = [:]) throws {
        let folder = try ProcessTestSupport.temporaryFolder("serve")
        logFile = folder.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process = try SpawnedProcess(
            executable: binary, arguments: arguments, environment: SpawnedProcess.environment(environment), stderr: logFile.path)
    }

    /// `memoryhub serve --port 0 --database DATABASE EXTRA...`.
    package convenience init(binary: String, database: String, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        try self.init(binary: binary, arguments: ["serve", "--port", "0", "--database", database] + extraArguments, environment: environment)
    }

    package var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits for "listening on http://HOST:PORT" and returns the base URL.
    package func waitForAddress(timeout: Duration = .seconds(120)) async throws -> String {
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

    /// Waits for the process to exit by itself: its status, or nil when it still runs at the timeout.
    package func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM, then waits for the exit here.
    package func stop() {
        guard process.isRunning else { return }
        process.signal(SIGTERM)
        process.waitUntilExit()
    }

    /// SIGTERM, then waits for the exit off the cooperative pool; the exit status.
    @discardableResult
    package func terminate() async throws -> Int32 {
        let process = self.process
        if process.isRunning {
            process.signal(SIGTERM)
            try await ProcessTestSupport.offTheExecutor { process.waitUntilExit() }
        }
        return process.terminationStatus
    }

    /// SIGKILL: the process ends at once, without any of its shutdown work. Does not wait.
    package func kill() {
        process.signal(SIGKILL)
    }

    deinit { stop() }
}

package struct ServeStartError: Error, CustomStringConvertible {
    package let log: String
    package var description: String { "memoryhub serve did not report its address; its log:\n\(log)" }
}

/// The checks a Python script reported as `{"checks": [{name, ok, detail}], "error"?}`, asserted
/// one by one so a failure names itself.
package func expectChecks(_ result: ChildProcess.Result, minimum: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let report = result.json?.objectValue else {
        Issue.record(
            "the script printed no JSON report (status \(result.status))\nstdout:\n\(result.stdout.suffix(4000))\nstderr:\n\(result.stderr.suffix(4000))",
            sourceLocation: sourceLocation)
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
