import RESP
import Testing

@Suite("Redis configuration")
struct RedisConfigurationTests {
    @Test("defaults")
    func defaults() {
        let configuration = RedisConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 6379)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
        #expect(configuration.database == 0)
        #expect(configuration.connectTimeout == .seconds(1))
        #expect(configuration.commandTimeout == .seconds(1))
        #expect(configuration.poolSize == 4)
    }

    @Test("host only")
    func hostOnly() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
    }

    @Test("host, port and database")
    func hostPortDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1:16379/3")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 16379)
        #expect(configuration.database == 3)
    }

    @Test("trailing slash means database 0")
    func trailingSlash() throws {
        #expect(try RedisConfiguration(url: "redis://h:1/").database == 0)
    }

    @Test("user and password")
    func userAndPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://alice:s3cret@h:6380/1")
        #expect(configuration.username == "alice")
        #expect(configuration.password == "s3cret")
        #expect(configuration.host == "h")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 1)
    }

    @Test("password only")
    func passwordOnly() throws {
        let configuration = try RedisConfiguration(url: "redis://:secret@127.0.0.1:16380/0")
        #expect(configuration.username == nil)
        #expect(configuration.password == "secret")
        #expect(configuration.port == 16380)
    }

    @Test("user only")
    func userOnly() throws {
        let configuration = try RedisConfiguration(url: "redis://bob@h")
        #expect(configuration.username == "bob")
        #expect(configuration.password == nil)
    }

    @Test("user name and password are percent-decoded")
    func percentDecoding() throws {
        let configuration = try RedisConfiguration(url: "redis://us%40er:p%3Aa%2Fss%40w%C3%B6rd@h")
        #expect(configuration.username == "us@er")
        #expect(configuration.password == "p:a/ss@wörd")
    }

    @Test("an unencoded @ in the password still finds the host")
    func atInPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://:p@ss@h:7000")
        #expect(configuration.password == "p@ss")
        #expect(configuration.host == "h")
        #expect(configuration.port == 7000)
    }

    @Test("IPv6 host in brackets")
    func ipv6() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:6390/2")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 6390)
        #expect(configuration.database == 2)
        #expect(try RedisConfiguration(url: "redis://[::1]").port == 6379)
    }

    @Test("scheme is case-insensitive")
    func schemeCase() throws {
        #expect(try RedisConfiguration(url: "REDIS://h").host == "h")
    }

    @Test(
        "rejects malformed URLs",
        arguments: [
            "http://h:6379",
            "rediss://h:6379",
            "unix:///tmp/redis.sock",
            "h:6379",
            "",
            "redis://",
            "redis://:pw@",
            "redis://h:port",
            "redis://h:0",
            "redis://h:65536",
            "redis://h:-1",
            "redis://h/db",
            "redis://h/-1",
            "redis://h/1/2",
            "redis://h?db=1",
            "redis://::1:6379",
            "redis://[::1",
            "redis://[::1]x",
            "redis://u:%zz@h",
            "redis://%@h",
        ]
    )
    func rejects(url: String) {
        let error = #expect(throws: RedisClientError.self) {
            try RedisConfiguration(url: url)
        }
        #expect(error?.code == .invalidURL)
    }

    @Test("other schemes get a clear error that names the expected scheme")
    func clearSchemeError() {
        do {
            _ = try RedisConfiguration(url: "http://h")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("redis://"))
        }
    }

    @Test("errors and descriptions never show the password")
    func noPasswordLeak() throws {
        let configuration = try RedisConfiguration(url: "redis://user:hunter2@h:1/0")
        #expect(!"\(configuration)".contains("hunter2"))
        #expect("\(configuration)".contains("***"))
        for url in ["redis://user:hunter2@h:bad", "redis://user:hunter2%zz@h", "redis://user:hunter2@h/x"] {
            do {
                _ = try RedisConfiguration(url: url)
                Issue.record("expected an error for a malformed URL")
            } catch {
                #expect(!"\(error)".contains("hunter2"))
                #expect(!String(reflecting: error).contains("hunter2"))
            }
        }
    }
}
