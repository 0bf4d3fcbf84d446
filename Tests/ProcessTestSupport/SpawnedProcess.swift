#if canImport(Glibc)
import Glibc
#endif
package import Foundation
import Synchronization

/// A child process started with `posix_spawn`, for the test suites, instead of Foundation's
/// `Process`.
///
/// On Linux, Foundation's `Process.run()` (Swift 6.3.1) lists `/proc/self/fd` and copies each
/// directory entry's whole 256-byte name field; when an entry sits at the end of glibc's read
/// buffer and the next page is unmapped, the copy faults. The test process crashed that way in
/// `Process.run()` (a bad pointer dereference in `memcpy`) in one of about eight full runs on
/// 2026-11-30, and likely in CI before (a crash in `memmove` under Foundation). Fixed upstream in
/// swift-corelibs-foundation pull request 5472, after Swift 6.3.1. swift-subprocess would be the
/// library for this; these ~100 lines of test support avoid a new dependency for the tests alone.
///
/// The child gets: the executable at an absolute path with these arguments; exactly
/// `environment`; stdin, stdout and stderr from and to files (`/dev/null` when nil; output files
/// are appended to); every other descriptor closed; default signal handling and an empty signal
/// mask (the test process ignores SIGPIPE, and ignored signals would otherwise pass to the child).
package final class SpawnedProcess: @unchecked Sendable {
    package struct SpawnError: Error, CustomStringConvertible {
        package let executable: String
        package let code: Int32
        package var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    package let processIdentifier: pid_t
    /// The raw wait status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    private typealias AddDescriptor = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private typealias AddPath = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    /// glibc 2.34's and 2.29's file actions, which Swift's Glibc module does not declare.
    private static let (closeFrom, changeDirectory): (AddDescriptor?, AddPath?) = {
        let process = dlopen(nil, RTLD_NOW)
        return (
            dlsym(process, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddDescriptor.self) },
            dlsym(process, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddPath.self) })
    }()

    /// Starts `executable` (an absolute path).
    ///
    /// - Throws: ``SpawnError`` when the child cannot be started (no such file, not executable).
    package init(
        executable: String, arguments: [String], environment: [String: String],
        stdin: String? = nil, stdout: String? = nil, stderr: String? = nil, currentDirectory: String? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        _ = Self.closeFrom?(&actions, 3)
        if let currentDirectory {
            guard let changeDirectory = Self.changeDirectory else {
                throw SpawnError(executable: executable, code: ENOSYS)
            }
            _ = changeDirectory(&actions, currentDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnError(executable: executable, code: code) }
        processIdentifier = pid
    }

    /// The test process's environment with `overrides` on top.
    package static func environment(_ overrides: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(overrides) { $1 }
    }

    /// Whether the child still runs (reaps it when it has ended).
    package var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            let result = waitpid(processIdentifier, &raw, WNOHANG)
            if result == processIdentifier {
                status = raw
                return false
            }
            // -1: not our child any more (reaped elsewhere); count it as ended.
            if result < 0 { status = 0 }
            return result == 0
        }
    }

    /// As Foundation's `terminationStatus`: the exit code, or the number of the signal that ended
    /// the child. 0 while it runs.
    package var terminationStatus: Int32 {
        guard !isRunning, let raw = reaped.withLock({ $0 }) else { return 0 }
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : signal
    }

    /// Whether a signal ended the child.
    package var wasSignalled: Bool {
        guard !isRunning, let raw = reaped.withLock({ $0 }) else { return false }
        return raw & 0x7F != 0
    }

    /// Sends `signal` (SIGTERM by default) if the child still runs.
    package func signal(_ signal: Int32 = SIGTERM) {
        if isRunning { _ = Glibc.kill(processIdentifier, signal) }
    }

    /// Blocks the calling thread until the child has ended (polls every 10 ms).
    package func waitUntilExit() {
        while isRunning { usleep(10_000) }
    }

    /// What a child run to completion printed, and its status (as `terminationStatus`).
    package struct Output: Sendable {
        package let status: Int32
        package let stdout: String
        package let stderr: String
    }

    /// Runs `executable` to completion, blocking the calling thread (keep it short, or call it
    /// off the cooperative pool): stdin from `stdin`, stdout and stderr through files, the test
    /// process's environment with `environment` on top (or exactly `environment`, when
    /// `inheritEnvironment` is false). SIGTERM at `timeout`.
    ///
    /// - Throws: ``SpawnError`` when the child cannot be started.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], inheritEnvironment: Bool = true,
        stdin: String = "", currentDirectory: String? = nil, timeout: Duration = .seconds(600)
    ) throws -> Output {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-spawn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (input, output, errors) = (folder.appendingPathComponent("in"), folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
        try Data(stdin.utf8).write(to: input)
        let process = try SpawnedProcess(
            executable: executable, arguments: arguments, environment: inheritEnvironment ? Self.environment(environment) : environment,
            stdin: input.path, stdout: output.path, stderr: errors.path, currentDirectory: currentDirectory)
        let deadline = ContinuousClock.now + timeout
        var terminated = false
        while process.isRunning {
            if !terminated && ContinuousClock.now > deadline {
                process.signal(SIGTERM)
                terminated = true
            }
            usleep(5_000)
        }
        return Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
