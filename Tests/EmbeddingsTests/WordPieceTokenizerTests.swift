import Embeddings
import Foundation
import Testing

@Suite("WordPieceTokenizer")
struct WordPieceTokenizerTests {
    @Test(
        "same ids as Hugging Face tokenizers on every fixture string",
        .enabled(if: ModelFixture.isAvailable, ModelFixture.skipReason))
    func matchesReference() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyPath: ModelFixture.directory + "/vocab.txt")
        let cases = try ModelFixture.load("tokenizer_cases", as: [ModelFixture.TokenizerCase].self)
        #expect(cases.count >= 200)
        var mismatches: [String] = []
        for fixture in cases {
            let ids = tokenizer.encode(fixture.text)
            if ids != fixture.ids {
                mismatches.append("\(String(reflecting: fixture.text).prefix(80)): got \(ids.prefix(24)), want \(fixture.ids.prefix(24))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(15).joined(separator: "\n"))")
    }

    @Test("truncates to maxLength tokens in all, keeping [CLS] and [SEP]", .enabled(if: ModelFixture.isAvailable, ModelFixture.skipReason))
    func truncation() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyPath: ModelFixture.directory + "/vocab.txt")
        let text = Array(repeating: "memory", count: 1000).joined(separator: " ")
        let full = tokenizer.encode(text)
        #expect(full.count == 256)
        #expect(full.first == 101 && full.last == 102)
        let short = tokenizer.encode(text, maxLength: 10)
        #expect(short.count == 10)
        #expect(Array(short.dropLast()) == Array(full.prefix(9)))
        #expect(tokenizer.encode("", maxLength: 0) == [101, 102])
    }

    @Test("a missing vocabulary is a clear error")
    func missingVocabulary() {
        #expect {
            try WordPieceTokenizer(vocabularyPath: "/nonexistent/vocab.txt")
        } throws: { error in
            let error = error as? EmbeddingError
            return error?.code == .modelMissing && error?.description.contains("vocab.txt") == true
        }
    }
}
