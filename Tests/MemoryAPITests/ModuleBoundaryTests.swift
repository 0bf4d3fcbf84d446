import Foundation
import Testing

/// The review's done-when check for the front door, run on every `make test`: the interfaces
/// (HTTP, MCP, the hooks, the pages) and MemoryAPI itself reach data only through MemoryService, so none of
/// them imports the store, the cache, the embedder, the Redis client or another interface.
@Suite struct ModuleBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test(arguments: ["MemoryHTTP", "MemoryMCP", "MemoryHooks", "MemoryPages", "MemoryAPI"])
    func anInterfaceImportsNeitherStoreNorCacheNorEmbedderNorAnotherInterface(_ module: String) throws {
        let forbidden = Set(["MemoryStore", "MemoryStorePostgres", "MemoryCache", "Embeddings", "RESP", "MemoryHTTP", "MemoryMCP", "MemoryHooks", "MemoryPages"])
            .subtracting([module])
        let folder = Self.sources.appendingPathComponent(module)
        let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no sources found under \(folder.path)")
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
                      words[..<index].allSatisfy({ ["public", "package", "internal", "@testable"].contains($0) })
                else { continue }
                #expect(!forbidden.contains(words[index + 1]), "\(module)/\(file) imports \(words[index + 1])")
            }
        }
    }
}
