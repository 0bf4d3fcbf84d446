import Foundation
import MemoryCache
import MemoryCore
import Testing

@Suite struct SessionDocumentTests {
    static func richSession() -> Session {
        Session(
            id: .v7(), userID: "user é", projectID: "proj", clientSessionID: "client", parentSessionID: .v7(),
            state: .ended, startedAt: Timestamp(microsecondsSinceEpoch: 1_764_000_000_000_001),
            endedAt: Timestamp(microsecondsSinceEpoch: 1_764_000_123_456_789), endReason: "user_requested",
            summary: "line one\nline \"two\"",
            metadata: ["nested": ["deeper": ["list": [1, 2.0, 0.1, nil, true, "s"]]], "empty": [:], "null": nil],
            tags: ["z", "a", "m"], memoryCount: 12,
            createdAt: Timestamp(microsecondsSinceEpoch: 1_764_000_000_000_001),
            updatedAt: Timestamp(microsecondsSinceEpoch: 1_764_000_200_000_999), version: 42)
    }

    @Test func everyFieldSurvivesTheDocument() {
        let session = Self.richSession()
        #expect(SessionDocument.decode(SessionDocument.encode(session)) == session)
    }

    @Test func nilFieldsStayNil() {
        let session = Session(userID: "u", startedAt: Timestamp(microsecondsSinceEpoch: 1))
        let decoded = SessionDocument.decode(SessionDocument.encode(session))
        #expect(decoded == session)
        #expect(decoded?.projectID == nil && decoded?.endedAt == nil && decoded?.parentSessionID == nil)
    }

    @Test(arguments: [
        "", "garbage", "{}", "[1,2]", #"{"format":2,"id":"x"}"#, "\u{00}\u{FF}",
    ])
    func unreadableDocumentsAreMisses(text: String) {
        #expect(SessionDocument.decode(text) == nil)
    }

    @Test func aDocumentWithAFieldOfTheWrongTypeIsAMiss() throws {
        var text = String(decoding: SessionDocument.encode(Self.richSession()), as: UTF8.self)
        text = text.replacingOccurrences(of: #""version":42"#, with: #""version":"42""#)
        #expect(SessionDocument.decode(text) == nil)
        #expect(SessionDocument.key(for: UUID(uuidString: "0190d6a4-0000-7000-8000-000000000000")!) == "memoryhub:v1:session:0190d6a4-0000-7000-8000-000000000000")
    }
}
