import Foundation
import Logging
import MemoryCore
import MemoryService
import Testing

/// The prompt hook ranks only the best candidates (`SearchRequest.candidateLimit`), so its
/// search does not grow with every memory that shares a word with the prompt (issue 15).
@Suite struct PromptSearchTests {
    @Test func aSearchLimitedToItsBestCandidatesFindsTheSameFirstResults() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("prompt-search")
        defer { try? FileManager.default.removeItem(at: folder) }
        let services = try await MemoryHubServices.embedded(path: folder.path + "/db.sqlite", logger: Logger(label: "test"))
        let session = try await services.sessions.start(SessionStartRequest(userID: "dev", projectID: "shop")).session
        for index in 0..<60 {
            // Every memory mentions deploys; a few say it more, and those rank first.
            let emphasis = index % 20 == 0 ? " deploy deploy deploy" : ""
            _ = try await services.memories.store(
                NewMemory(sessionID: session.id, content: "Note \(index) about the deploy of service \(index)\(emphasis).", memoryType: .fact),
                actingUser: "dev")
        }
        var everything = SearchRequest(userID: "dev", query: "deploy")
        everything.limit = 3
        var shortlisted = everything
        shortlisted.candidateLimit = 10
        let all = try await services.search.search(everything)
        let few = try await services.search.search(shortlisted)
        #expect(all.total == 60 && few.total == 10)
        #expect(few.results.map(\.memory.id) == all.results.map(\.memory.id))
        #expect(few.results.allSatisfy { $0.memory.content.hasSuffix("deploy deploy deploy.") })

        shortlisted.candidateLimit = 0
        await #expect(throws: MemoryHubError.self) { try await services.search.search(shortlisted) }
    }
}
