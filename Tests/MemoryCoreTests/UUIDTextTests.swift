import Foundation
import MemoryCore
import Testing

@Suite struct UUIDTextTests {
    @Test func lowercasedAndHexTextRoundTripAndAgreeWithFoundation() {
        for _ in 0..<1000 {
            let id = Bool.random() ? UUID() : UUID.v7()
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(UUID(hexText: id.lowercased) == id)
            #expect(UUID(hexText: id.uuidString) == id)
            var text = id.uuidString
            #expect(text.withUTF8 { UUID(hexUTF8: $0) } == id)
        }
        #expect(UUID(hexText: "00000000-0000-0000-0000-000000000000") == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        #expect(UUID(hexText: "FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF")?.lowercased == "ffffffff-ffff-ffff-ffff-ffffffffffff")
    }

    @Test func hexTextRefusesEverythingElse() {
        let valid = "0193a7d2-5c1e-7b3a-9f00-1234567890ab"
        #expect(UUID(hexText: valid) != nil)
        for text in [
            "", "0193a7d2-5c1e-7b3a-9f00-1234567890a", "0193a7d2-5c1e-7b3a-9f00-1234567890abc", "0193a7d25c1e-7b3a-9f00-1234567890ab-",
            "0193a7d2_5c1e-7b3a-9f00-1234567890ab", "0193a7g2-5c1e-7b3a-9f00-1234567890ab", "0193a7d2-5c1e-7b3a-9f00-1234567890aé",
            "{0193a7d2-5c1e-7b3a-9f00-1234567890}",
        ] {
            #expect(UUID(hexText: text) == nil, "\(text)")
            var bytes = text
            #expect(bytes.withUTF8 { UUID(hexUTF8: $0) } == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation accepts \(text)")
        }
    }
}
