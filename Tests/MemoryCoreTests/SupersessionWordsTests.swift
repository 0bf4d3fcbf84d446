@testable import MemoryCore
import Testing

@Suite struct SupersessionWordsTests {
    /// ASCII text takes a byte-by-byte path; it must cut words exactly as the Character one.
    @Test func asciiWordsMatchTheCharacterDefinition() {
        var generator = SystemRandomNumberGenerator()
        // Letters, digits and every character the rules treat specially, dense enough to meet.
        let alphabet = Array("aZ9 .-_/'\r\n\t,;:!?()\"x0Q")
        for _ in 0..<2000 {
            let text = String((0..<Int.random(in: 0...30, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(Supersession.Statement.words(text) == Supersession.Statement.unicodeWords(text), "\(text.debugDescription)")
        }
        let every = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        #expect(Supersession.Statement.words(every) == Supersession.Statement.unicodeWords(every))
        #expect(Supersession.Statement.words("Let's move to db-staging-2/ on t3.large.") == ["lets", "move", "to", "db-staging-2", "on", "t3.large"])
        #expect(Supersession.Statement.asciiWords("port ’8443’") == nil)
    }
}
