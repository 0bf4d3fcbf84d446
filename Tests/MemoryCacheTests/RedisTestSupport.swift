import Foundation
import ProcessTestSupport
import Logging
import RESP
import Testing

/// Integration suites read their services from the environment (`make test` starts them);
/// without it they are skipped with the reason printed.
enum TestServices {
    static let redisURL = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_REDIS_URL"]
    static let postgresURL: String? = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_POSTGRES_URL"].map { url in
        // This target has a database of its own, so tests that clean up across users stay apart.
        url.replacingOccurrences(of: "/memoryhub_store", with: "/memoryhub_cache")
    }
    static let redisServer = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func redisClient(timeout: Duration = .milliseconds(300), url: String? = redisURL) throws -> RedisClient {
        var configuration = try RedisConfiguration(url: url!)
        configuration.connectTimeout = timeout
        configuration.commandTimeout = timeout
        return RedisClient(configuration: configuration, logger: Logger(label: "test"))
    }

    static func freePort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A redis-server of the test's own, which it can kill and start again on the same port.
final class PrivateRedis: @unchecked Sendable {
    let port: Int
    private var process: SpawnedProcess?

    init() throws {
        port = TestServices.freePort()
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    func start() throws {
        self.process = try SpawnedProcess(
            executable: TestServices.redisServer!,
            arguments: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            environment: SpawnedProcess.environment())
        for _ in 0..<200 {
            let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(probe)
            if connected == 0 { return }
            usleep(25_000)
        }
        throw CancellationError()
    }

    /// SIGSTOP: the server keeps its connections and data but answers nothing (a stall).
    func pause() {
        process?.signal(SIGSTOP)
    }

    /// SIGCONT after `pause()`.
    func resume() {
        process?.signal(SIGCONT)
    }

    /// SIGKILL, like a crash.
    func kill() {
        guard let process, process.isRunning else { return }
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        resume()
        kill()
    }
}
