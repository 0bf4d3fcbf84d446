import MemoryCore
import Testing

@Suite struct TextChunkerTests {
    let chunker = TextChunker()

    func chunks(_ text: String, max: Int = 512, min: Int = 50, overlap: Int = 50, context: JSONObject = [:]) -> [TextChunk] {
        chunker.chunk(text, options: ChunkingOptions(maxChunkSize: max, minChunkSize: min, overlapSize: overlap, context: context))
    }

    /// The input's Unicode scalars `range`, as the API's offsets address them.
    func slice(_ text: String, _ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(Array(text.unicodeScalars)[range]))
    }

    /// The input rebuilt from the chunks, each overlap taken once; nil when a chunk leaves a gap.
    func rebuilt(_ text: String, from chunks: [TextChunk]) -> String? {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var position = 0
        for chunk in chunks {
            guard chunk.startIndex <= position, chunk.endIndex > position else { return nil }
            result.append(contentsOf: scalars[position..<chunk.endIndex])
            position = chunk.endIndex
        }
        return String(result)
    }

    func type(of text: String) -> ChunkType? {
        let result = chunks(text, min: 1)
        #expect(result.count == 1, "\(text)")
        return result.first?.chunkType
    }

    // MARK: Protected blocks

    @Test func aFenceLongerThanTheMaximumStaysOneCodeBlockWithItsLanguage() {
        let fence = "```python\n# set up\nimport os\n\n" + String(repeating: "print(os.getcwd())\n", count: 20) + "```"
        let text = "Here is the script:\n\n\(fence)\n\nThat was all of it."
        let result = chunks(text, max: 100, min: 10, overlap: 20)
        let code = result.filter { $0.chunkType == .codeBlock }
        #expect(code.count == 1)
        #expect(code.first?.content.hasPrefix(fence) == true)
        #expect(code.first?.content.trimmingTrailingWhitespace == fence)
        #expect(code.first?.language == "python")
        #expect(code.first?.containsCode == true)
        #expect(code.first?.metadata["has_preserved_blocks"] == true)
        // No other chunk holds a piece of the fence (no overlap copies it either).
        #expect(result.filter { $0.content.contains("print(") }.count == 1)
        #expect(rebuilt(text, from: result) == text)
    }

    @Test func hashLinesInsideAFenceAreCodeNotCommands() {
        let text = "Install it like this.\n\n```bash\n# install the dependencies\n$ make deps\n# build\nmake\n```\n"
        let result = chunks(text, min: 1)
        #expect(result.count == 1)
        #expect(result.first?.chunkType == .codeBlock)
        #expect(result.first?.language == "bash")
        #expect(result.first?.content == text)
        let analysis = chunker.analyze(text)
        #expect(analysis.codeBlocks == 1)
        #expect(analysis.commands == 0)
    }

    @Test func commandLinesOutsideFencesAreProtected() {
        let text = "Run these:\n$ swift build --configuration release\n# then check the logs\n> tail -f server.log"
        let result = chunks(text, min: 1)
        #expect(result.map(\.chunkType) == [.command])
        #expect(result.first?.metadata["has_preserved_blocks"] == true)
        #expect(chunker.analyze(text).commands == 3)

        // A command line longer than the maximum is kept whole, never cut.
        let command = "$ docker run --rm -it -v \"$PWD:/work\" -w /work swift:6.3 swift test --parallel"
        let long = "First we build it. It takes a while.\n\(command)\nIt passed."
        let pieces = chunks(long, max: 40, min: 1, overlap: 10)
        #expect(pieces.contains { $0.chunkType == .command && $0.content.hasPrefix(command) })
        #expect(pieces.filter { $0.content.contains("docker") }.count == 1)
        #expect(rebuilt(long, from: pieces) == long)
    }

    @Test func anUnclosedFenceIsPlainText() {
        let text = "```swift\nlet x = 1\nthat was never closed."
        let result = chunks(text, min: 1)
        #expect(result.count == 1)
        #expect(result.first?.chunkType != .codeBlock)
        #expect(chunker.analyze(text).codeBlocks == 0)
    }

    // MARK: Coverage and offsets

    @Test func everyCharacterLandsInAChunkOfALongMixedText() {
        var text = "  Intro before anything.\n\n"
        for index in 0..<30 {
            text += "Paragraph \(index) says something useful about caching. It has a second sentence! "
            if index % 4 == 3 { text += "\n\n" }
            if index % 9 == 8 { text += "Then:\n$ redis-cli FLUSHALL\n\n```sql\nSELECT * FROM users;\n-- a comment\n```\n\n" }
        }
        text += String(repeating: "unbroken", count: 90) + " tail words\n\n\n"
        for (max, overlap) in [(512, 50), (120, 40), (80, 79), (60, 0)] {
            let result = chunks(text, max: max, min: 30, overlap: overlap)
            #expect(rebuilt(text, from: result) == text, "max \(max) overlap \(overlap)")
            let added = result.compactMap { $0.metadata["original_length"]?.numberValue }.reduce(0, +)
            #expect(Int(added) == text.unicodeScalars.count)
            for chunk in result where chunk.chunkType != .codeBlock {
                #expect(chunk.content.unicodeScalars.count <= max || chunk.content.trimmingTrailingWhitespace.unicodeScalars.count <= max)
            }
            for (index, chunk) in result.enumerated() {
                #expect(chunk.metadata["chunk_index"] == .int(Int64(index)))
                #expect(chunk.metadata["total_chunks"] == .int(Int64(result.count)))
            }
        }
    }

    @Test func contentIsTheInputAtItsScalarOffsetsAfterNonASCIIText() {
        let opening = "Café crème, 日本語 and 👨‍👩‍👧 emoji are here.\n\n"
        let text = opening + "Next, the cache is warm. 🚀 It was cold before é.\n\nFinally the index was rebuilt."
        let result = chunks(text, min: 1)
        #expect(result.count == 3)
        #expect(result[1].startIndex == opening.unicodeScalars.count)
        #expect(result[1].content.hasPrefix("Next, the cache is warm."))
        for chunk in result {
            #expect(slice(text, chunk.startIndex..<chunk.endIndex) == chunk.content)
            #expect(chunk.endIndex - chunk.startIndex == chunk.content.unicodeScalars.count)
        }
        // Cut sections too: offsets stay exact inside long non-ASCII prose.
        let long = String(repeating: "Größe 測定 ✓ done. ", count: 40)
        for chunk in chunks(long, max: 90, min: 1, overlap: 30) {
            #expect(slice(long, chunk.startIndex..<chunk.endIndex) == chunk.content)
        }
    }

    @Test func whitespaceOnlyTextHasNoChunks() {
        #expect(chunks("").isEmpty)
        #expect(chunks(" \n\n\t ").isEmpty)
    }

    // MARK: Packing, overlap, merging

    /// Nine sentences of 33 scalars (with their space): "Sentence N has some words in it. ".
    var sentences: String {
        (0..<9).map { "Sentence \($0) has some words in it." }.joined(separator: " ")
    }

    @Test func longSectionsArePackedBySentenceEachNextChunkOpeningWithItsOverlap() {
        let result = chunks(sentences, max: 100, min: 1, overlap: 40)
        // Three sentences fill 99 scalars; the next chunk opens with the last sentence (33 ≤ 40).
        #expect(result.map(\.startIndex) == [0, 66, 132, 198])
        #expect(result.map(\.endIndex) == [99, 165, 231, 296])
        #expect(result[1].content.hasPrefix("Sentence 2 has"))
        #expect(result[1].metadata["original_length"] == 66)
        #expect(result[1].metadata["processed_length"] == 99)
        #expect(result.allSatisfy { $0.content.unicodeScalars.count <= 100 })
        #expect(result.map(\.semanticBoundary) == [false, false, false, true])

        // Two sentences when both fit in the overlap.
        let two = chunks(sentences, max: 100, min: 1, overlap: 70)
        #expect(two[1].startIndex == 33)
        #expect(two[1].content.hasPrefix("Sentence 1 has"))

        // Else the last overlap_size scalars, from the first word starting in them.
        let characters = chunks(sentences, max: 100, min: 1, overlap: 20)
        #expect(characters[1].content.hasPrefix("some words in it. Sentence 3"))
        #expect(characters[1].startIndex == 81)

        // No overlap at all when asked for none: the chunks tile the text.
        let none = chunks(sentences, max: 100, min: 1, overlap: 0)
        #expect(zip(none, none.dropFirst()).allSatisfy { $0.endIndex == $1.startIndex })
    }

    @Test func aSentenceLongerThanTheMaximumIsCutAtSpacesWithoutLosingText() {
        let text = (0..<60).map { "word\($0)" }.joined(separator: " ")
        let result = chunks(text, max: 80, min: 1, overlap: 0)
        #expect(result.count > 1)
        #expect(result.allSatisfy { $0.content.unicodeScalars.count <= 80 })
        #expect(result.dropLast().allSatisfy { $0.content.hasSuffix(" ") })
        #expect(result.map(\.content).joined() == text)
    }

    @Test func aChunkShorterThanTheMinimumMergesWithTheNextOnce() {
        let text = "Short one.\n\nNow a second short paragraph here."
        let merged = chunks(text, min: 50)
        #expect(merged.count == 1)
        #expect(merged.first?.content == text)
        #expect(merged.first?.metadata["merged"] == true)
        #expect(merged.first?.metadata["original_chunks"] == 2)
        let separate = chunks(text, min: 1)
        #expect(separate.count == 2)
        #expect(merged.first?.chunkType == separate.first?.chunkType)
        #expect(merged.first?.importance == separate.map(\.importance).max())
        #expect(separate.allSatisfy { $0.metadata["merged"] == nil })

        // Not when the pair would exceed the maximum.
        #expect(chunks(text, max: 40, min: 30).count == 2)

        // One pass over pairs: a merged chunk does not absorb a third.
        let three = chunks("One.\n\nNow two.\n\nNext three.", min: 50)
        #expect(three.map(\.content) == ["One.\n\nNow two.\n\n", "Next three."])
        #expect(three[0].metadata["original_chunks"] == 2)
        #expect(three[1].metadata["merged"] == nil)
    }

    @Test func transitionCuesStartNewSections() {
        let text = "We talked about caching for a while.\n\nIt was useful.\n\nHowever, the index was slow.\n\nStep 2 covered the schema."
        let result = chunks(text, min: 1)
        #expect(result.map(\.content) == [
            "We talked about caching for a while.\n\nIt was useful.\n\n", "However, the index was slow.\n\n",
            "Step 2 covered the schema.",
        ])
        // Cue words inside code do not count; "step" needs a number; cues are whole words.
        let quiet = "Look at this.\n\n```\nif ready then run()\n```\n\nEach step matters.\n\nThe nowhere man."
        #expect(chunks(quiet, min: 1).count == 1)
    }

    // MARK: Types, language, importance

    @Test func typesFollowThePriorityOrder() {
        #expect(type(of: "```\nlet x = 1\n```\n$ run it\nError: failed") == .codeBlock)
        #expect(type(of: "$ make install\nError: no rule to make target") == .command)
        #expect(type(of: "Warning: disk almost full\nWhat should we do?") == .errorMessage)
        #expect(type(of: "TypeError: unsupported operand") == .errorMessage)
        #expect(type(of: "What should we do about the cache?\nWe decided to use Redis.") == .question)
        #expect(type(of: "We decided to use Redis. You should restart it.") == .decision)
        #expect(type(of: "We are going with Postgres.") == .decision)
        #expect(type(of: "Please restart the server. The cache is warm.") == .instruction)
        #expect(type(of: "The cache is warm.") == .fact)
        #expect(type(of: "Redis keeps everything in memory and has persistence.") == .fact)
        #expect(type(of: "Thanks, that helps a lot.") == .conversation)
        // Whole words only, any case.
        #expect(type(of: "Errors everywhere, a musty smell.") == .conversation)
        #expect(type(of: "ERROR: disk full") == .errorMessage)
        // A question is a line opening with a question word and ending with "?".
        #expect(type(of: "Thanks, but how?") == .conversation)
        #expect(!chunks("Anything else?\nYes.", min: 1).contains { $0.chunkType == .answer })
    }

    @Test func languageComesFromTheFenceElseFromTheCodeOnly() {
        #expect(chunks("```rust\nfn main() {}\n```", min: 1).first?.language == "rust")
        #expect(chunks("Use `import os` and `def run(): pass` there.", min: 1).first?.language == "python")
        #expect(chunks("```\nimport java.util.List;\npublic class Foo {}\n```", min: 1).first?.language == "java")
        #expect(chunks("Try `const x = 1` in the console.", min: 1).first?.language == "javascript")
        #expect(chunks("Call `curl -s localhost:8080` to check.", min: 1).first?.language == "bash")
        #expect(chunks("Query with `select * from users`.", min: 1).first?.language == "sql")
        // Prose alone has no language, whatever its words.
        let prose = chunks("Let me know if the function works, then select one.", min: 1).first
        #expect(prose?.language == nil)
        #expect(prose?.containsCode == false)
    }

    @Test func importanceFollowsTheFormula() {
        // 24 scalars, an inline span, a question line: 0.5 + 0.024 + 0.2 + 0.1.
        let question = "How do we cache `users`?"
        #expect(abs((chunks(question, min: 1).first?.importance ?? 0) - 0.824) < 1e-9)
        #expect(chunks(question, min: 1, context: ["is_critical": true]).first?.importance == 1)
        // Decision words count, except prefer: 0.5 + 0.014 + 0.15, and 0.5 + 0.015.
        #expect(abs((chunks("We chose tabs.", min: 1).first?.importance ?? 0) - 0.664) < 1e-9)
        #expect(abs((chunks("We prefer tabs.", min: 1).first?.importance ?? 0) - 0.515) < 1e-9)
        // The length factor stops at 0.2.
        let long = String(repeating: "plain words ", count: 30)
        #expect(abs((chunks(long, min: 1).first?.importance ?? 0) - 0.7) < 1e-9)
        // An error line: 0.5 + 0.016 + 0.15.
        #expect(abs((chunks("Error: timed out", min: 1).first?.importance ?? 0) - 0.666) < 1e-9)
    }

    @Test func metadataCarriesContextCountsAndKeyPhrases() {
        let context: JSONObject = ["session_id": "s-1", "user_id": "u-1", "session_context": ["topic": "cache"]]
        let text = "The \"warm cache\" in MemoryHub uses JSONValue and flush() twice.\nIt was fast."
        let chunk = chunks(text, min: 1, context: context).first
        #expect(chunk?.metadata["session_id"] == "s-1")
        #expect(chunk?.metadata["user_id"] == "u-1")
        #expect(chunk?.metadata["timestamp"] == .null)
        #expect(chunk?.metadata["context"] == ["topic": "cache"])
        #expect(chunk?.metadata["word_count"] == 13)
        #expect(chunk?.metadata["line_count"] == 2)
        #expect(chunk?.metadata["is_first"] == true)
        #expect(chunk?.metadata["is_last"] == true)
        #expect(chunk?.metadata["key_phrases"] == ["warm cache", "MemoryHub", "JSONValue", "flush()"])
        #expect(chunk?.metadata["readability"] == ["words_per_sentence": 6.5, "avg_word_length": 4.92])
        let plain = chunks(text, min: 1).first
        #expect(plain?.metadata["session_id"] == nil)
        #expect(plain?.metadata["context"] == .object([:]))
    }

    // MARK: Route helpers

    @Test func analyzeTextCountsAndScores() {
        let text = "Why? " + String(repeating: "word ", count: 200)
        let analysis = chunker.analyze(text)
        #expect(analysis.textLength == 1005)
        #expect(analysis.estimatedChunks == 1)
        #expect(analysis.primaryContentType == .general)
        #expect(analysis.questions == 1)
        #expect(analysis.words == 201)
        #expect(analysis.lines == 1)
        #expect(abs(analysis.complexityScore - 100.0 / 1005) < 1e-12)

        let mixed = chunker.analyze("How? Why? What?\n$ ls -la\n```\n# x\n```\nuse `x` ok\n")
        #expect(mixed.primaryContentType == .technicalWithCode)
        #expect([mixed.codeBlocks, mixed.inlineCode, mixed.commands, mixed.questions, mixed.lines, mixed.words] == [1, 1, 1, 3, 6, 13])
        #expect(mixed.complexityScore == 1)
        #expect(chunker.analyze("Hi?\n> quoted").primaryContentType == .instructional)
        #expect(chunker.analyze("a? b? c?").primaryContentType == .conversational)

        let empty = chunker.analyze("")
        #expect(empty == TextAnalysis(
            textLength: 0, estimatedChunks: 1, primaryContentType: .general, codeBlocks: 0, inlineCode: 0, commands: 0,
            questions: 0, lines: 0, words: 0, complexityScore: 0))
    }

    @Test func statisticsPreviewsAndMemoryTypes() {
        let result = chunks("```swift\nlet x = 1\n```\n\nNow what is next?\n\n" + String(repeating: "Then more words. ", count: 10), min: 1)
        let statistics = chunker.statistics(of: result)
        #expect(statistics.chunkTypeDistribution.count == 9)
        #expect(statistics.chunkTypeDistribution.values.reduce(0, +) == result.count)
        #expect(statistics.codeChunks == 1)
        #expect(statistics.languagesDetected == ["swift"])
        #expect(statistics.semanticBoundaries == result.count)
        let none = chunker.statistics(of: [])
        #expect(none.averageChunkSize == 0 && none.averageImportance == 0)
        #expect(none.chunkTypeDistribution == Dictionary(uniqueKeysWithValues: ChunkType.allCases.map { ($0, 0) }))

        let previews = chunker.previews(of: result)
        #expect(previews.map(\.index) == Array(result.indices))
        let last = previews[previews.count - 1]
        #expect(last.length == 170)
        #expect(last.preview == String(repeating: "Then more words. ", count: 5) + "Then more words...")
        #expect(TextChunker.previewText("short") == "short")
        #expect(previews.allSatisfy { $0.importance == ($0.importance * 100).rounded() / 100 })

        #expect(ChunkType.allCases.count == 9)
        #expect(ChunkType.codeBlock.summary == "Code blocks and programming content")
        let memoryTypes = ChunkType.allCases.map { TextChunker.memoryType(for: $0) }
        #expect(memoryTypes == ["fact", "code", "code", "error", "fact", "fact", "pattern", "fact", "decision"])
    }
}

extension String {
    fileprivate var trimmingTrailingWhitespace: String {
        var scalars = Array(unicodeScalars)
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
