/// `POST /api/memory/text/analyze-text`: counts over the text without chunking it.
package struct TextAnalysis: Sendable, Equatable {
    /// What the text mostly is: a fence makes it technical_with_code, else a command line
    /// instructional, else more than two `?` conversational, else general.
    package enum ContentType: String, Sendable, CaseIterable {
        case technicalWithCode = "technical_with_code"
        case instructional
        case conversational
        case general
    }

    /// `text_length`: Unicode scalars.
    package var textLength: Int
    /// `estimated_chunks`: max(1, length div 512).
    package var estimatedChunks: Int
    package var primaryContentType: ContentType
    /// Closed fenced blocks (rule 1).
    package var codeBlocks: Int
    /// Inline code spans outside fences.
    package var inlineCode: Int
    /// Command lines outside fences.
    package var commands: Int
    /// Every `?` in the text.
    package var questions: Int
    /// Lines as an editor counts them (0 for empty text; a final line feed adds none).
    package var lines: Int
    /// Runs of non-whitespace.
    package var words: Int
    /// min(1, (0.3·codeBlocks + 0.2·commands + 0.1·questions) × 1000 / length); 0 for empty text.
    package var complexityScore: Double

    package init(
        textLength: Int, estimatedChunks: Int, primaryContentType: ContentType, codeBlocks: Int, inlineCode: Int,
        commands: Int, questions: Int, lines: Int, words: Int, complexityScore: Double
    ) {
        self.textLength = textLength
        self.estimatedChunks = estimatedChunks
        self.primaryContentType = primaryContentType
        self.codeBlocks = codeBlocks
        self.inlineCode = inlineCode
        self.commands = commands
        self.questions = questions
        self.lines = lines
        self.words = words
        self.complexityScore = complexityScore
    }
}

/// `/chunk`'s `statistics`.
package struct ChunkingStatistics: Sendable, Equatable {
    /// `chunk_type_distribution`: every one of the nine types, 0 when absent (render in
    /// `ChunkType.allCases` order).
    package var chunkTypeDistribution: [ChunkType: Int]
    /// `avg_chunk_size`: mean content length in Unicode scalars; 0 without chunks.
    package var averageChunkSize: Double
    /// `avg_importance`: 0 without chunks.
    package var averageImportance: Double
    /// `code_chunks`: chunks with `containsCode`.
    package var codeChunks: Int
    /// `languages_detected`: distinct languages, first seen first.
    package var languagesDetected: [String]
    /// `semantic_boundaries`: chunks with `semanticBoundary`.
    package var semanticBoundaries: Int

    package init(chunks: [TextChunk]) {
        var distribution = Dictionary(uniqueKeysWithValues: ChunkType.allCases.map { ($0, 0) })
        var languages: [String] = []
        var totalSize = 0
        var totalImportance = 0.0
        for chunk in chunks {
            distribution[chunk.chunkType, default: 0] += 1
            totalSize += chunk.content.unicodeScalars.count
            totalImportance += chunk.importance
            if let language = chunk.language, !languages.contains(language) { languages.append(language) }
        }
        chunkTypeDistribution = distribution
        averageChunkSize = chunks.isEmpty ? 0 : Double(totalSize) / Double(chunks.count)
        averageImportance = chunks.isEmpty ? 0 : totalImportance / Double(chunks.count)
        codeChunks = chunks.count(where: \.containsCode)
        languagesDetected = languages
        semanticBoundaries = chunks.count(where: \.semanticBoundary)
    }
}

/// One item of `/preview-chunks`' `preview`.
package struct ChunkPreview: Sendable, Equatable {
    package var index: Int
    /// Rendered as `type`.
    package var chunkType: ChunkType
    /// Unicode scalars of the content.
    package var length: Int
    /// The first 100 scalars, "..." appended when there were more.
    package var preview: String
    /// Rounded to 2 decimals.
    package var importance: Double
    package var containsCode: Bool
    package var language: String?
}

extension TextChunker {
    /// `analyze-text`'s counts, with the chunker's own definitions of fences, command lines and
    /// inline spans (a `#` line inside a fence is code, not a command).
    package func analyze(_ text: String) -> TextAnalysis {
        let scalars = Array(text.unicodeScalars)
        let layout = ChunkLayout(scalars: scalars)
        let fences = layout.units.filter { $0.kind == .fence }.map(\.range)
        let commands = layout.units.count(where: { $0.kind == .command })
        let questions = scalars.count(where: { $0 == "?" })
        let length = scalars.count
        let type: TextAnalysis.ContentType =
            if !fences.isEmpty { .technicalWithCode }
            else if commands > 0 { .instructional }
            else if questions > 2 { .conversational }
            else { .general }
        let weight = 0.3 * Double(fences.count) + 0.2 * Double(commands) + 0.1 * Double(questions)
        return TextAnalysis(
            textLength: length, estimatedChunks: max(1, length / 512), primaryContentType: type,
            codeBlocks: fences.count,
            inlineCode: ChunkScan.inlineCodeSpans(scalars, in: 0..<length, skipping: fences).count,
            commands: commands, questions: questions, lines: ChunkScan.lineCount(scalars, 0..<length),
            words: ChunkScan.readability(scalars, 0..<length).words,
            complexityScore: length == 0 ? 0 : min(1, weight * 1000 / Double(length)))
    }
}
