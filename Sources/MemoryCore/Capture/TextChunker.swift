/// What a chunk of conversation text holds, by the first rule of ``TextChunker`` that matches it.
/// The raw value is KnowledgeHub's `chunk_type`; the order is KnowledgeHub's (and `/chunk-types`').
package enum ChunkType: String, CaseIterable, Sendable {
    /// Nothing more specific matched.
    case conversation
    /// The chunk holds a fenced code block (```` ``` ```` to ```` ``` ````).
    case codeBlock = "code_block"
    /// The chunk holds a command line: first visible character `$`, `>` or `#` outside a fence.
    case command
    /// `error`, `exception`, `failed`, `traceback` or `warning` (or `…Error`, `…Exception`)
    /// followed by `:` or whitespace.
    case errorMessage = "error_message"
    /// A line opening with a question word and ending with `?`.
    case question
    /// Listed for KnowledgeHub's clients; no rule produces it.
    case answer
    /// should, must, need to, please, make sure, remember.
    case instruction
    /// "the X is/has/contains …", a sentence opening "X is/are/was/were", or
    /// "contains/includes/has/have <word>".
    case fact
    /// decide(d/s), chose(n), selected, will use, going with, prefer(s/red).
    case decision

    /// The one-line description `GET /api/memory/text/chunk-types` gives (KnowledgeHub's wording).
    package var summary: String {
        switch self {
        case .conversation: "General conversation content"
        case .codeBlock: "Code blocks and programming content"
        case .command: "Command line instructions and terminal commands"
        case .errorMessage: "Error messages and exceptions"
        case .question: "Questions and inquiries"
        case .answer: "Answers and responses"
        case .instruction: "Instructions and directives"
        case .fact: "Factual statements and information"
        case .decision: "Decisions and choices made"
        }
    }
}

/// One piece of chunked text (KnowledgeHub's `Chunk` without `entities`, which the route adds).
///
/// Offsets count Unicode scalars of the input (Python indexing), end exclusive, and `content` is
/// exactly the input's scalars `startIndex..<endIndex`: a chunk carries the whitespace that separates
/// it from the next one, and a chunk that opens with an overlap starts where the overlap starts.
package struct TextChunk: Sendable, Equatable {
    /// The input's scalars `startIndex..<endIndex`, unchanged.
    package var content: String
    package var chunkType: ChunkType
    /// Offset of the first scalar in the input.
    package var startIndex: Int
    /// Offset just past the last scalar.
    package var endIndex: Int
    /// Rule 8's fields: `original_length` (scalars this chunk adds to the ones before it, its overlap
    /// left out, so they sum to the input's length), `processed_length` (scalars of `content`),
    /// `has_preserved_blocks` (holds a fence or command line), `context` (`context.session_context`
    /// or `{}`), `word_count`, `line_count`, `chunk_index`, `total_chunks`, `is_first`, `is_last`,
    /// `session_id`/`user_id`/`timestamp` (from `context`, null when missing; only when `context` is
    /// not empty), `readability: {words_per_sentence, avg_word_length}` (2 decimals), `key_phrases`
    /// (at most 10), and on merged chunks `merged: true, original_chunks: 2`.
    package var metadata: JSONObject
    /// 0...1, rule 7 (see ``TextChunker``).
    package var importance: Double
    /// The chunk holds a fenced block or an inline code span.
    package var containsCode: Bool
    /// The first fence's language word, else a guess from the code in the chunk, else nil.
    package var language: String?
    /// The chunk ends a paragraph (and so also when it ends a section).
    package var semanticBoundary: Bool

    package init(
        content: String, chunkType: ChunkType, startIndex: Int, endIndex: Int, metadata: JSONObject = [:],
        importance: Double, containsCode: Bool, language: String?, semanticBoundary: Bool
    ) {
        self.content = content
        self.chunkType = chunkType
        self.startIndex = startIndex
        self.endIndex = endIndex
        self.metadata = metadata
        self.importance = importance
        self.containsCode = containsCode
        self.language = language
        self.semanticBoundary = semanticBoundary
    }
}

/// How ``TextChunker`` sizes chunks. Sizes count Unicode scalars. The HTTP layer validates the
/// ranges (422 naming the field); the chunker itself only clamps, so that nothing traps.
package struct ChunkingOptions: Sendable {
    /// `max_chunk_size`: 1...2048, default 512.
    package static let maxChunkSizeRange = 1...2048
    /// `min_chunk_size`: 1...1024, default 50, and at most `maxChunkSize`.
    package static let minChunkSizeRange = 1...1024
    /// `overlap_size`: 0...512, default 50, and less than `maxChunkSize`.
    package static let overlapSizeRange = 0...512

    /// No chunk is longer, except one holding a protected block longer than this (a fence or a
    /// command line, never split) or one whose excess is only whitespace after an unbreakable run.
    package var maxChunkSize: Int
    /// A chunk shorter than this merges with the next one when the two fit in `maxChunkSize`.
    package var minChunkSize: Int
    /// At most this many scalars of a cut section open the next chunk again.
    package var overlapSize: Int
    /// The request's `context`: `is_critical` raises importance; `session_context`, `session_id`,
    /// `user_id` and `timestamp` are copied into each chunk's metadata.
    package var context: JSONObject

    package init(maxChunkSize: Int = 512, minChunkSize: Int = 50, overlapSize: Int = 50, context: JSONObject = [:]) {
        self.maxChunkSize = maxChunkSize
        self.minChunkSize = minChunkSize
        self.overlapSize = overlapSize
        self.context = context
    }
}

/// Splits conversation text into typed, scored chunks that respect code: the chunker of
/// KnowledgeHub's `/api/memory/text` (`services/text_chunking.py`), as API-more.md restates it,
/// with its bugs fixed (no text lost, real offsets, fences protected once, sizes honoured).
///
/// 1. Protected blocks are never split: a fenced code block (a line opening with ```` ``` ```` and an
///    optional language word, to the next line holding only ```` ``` ````; an opening fence that is
///    never closed is plain text) and, outside fences, a command line (first visible character `$`,
///    `>` or `#`, then more text). A `#` line inside a fence belongs to the fence.
/// 2. Paragraphs end at blank lines outside fences. A paragraph whose prose holds a transition cue
///    (now, next, then, however, meanwhile, in contrast, on the other hand, step/phase/part + number,
///    first, second, third, finally, lastly, let's, moving on) starts a new section; others join the
///    current one.
/// 3. A section of at most `maxChunkSize` scalars is one chunk. A longer one is cut into units
///    (sentences, ending at a `.!?` run followed by whitespace; protected blocks; a sentence longer
///    than `maxChunkSize` is cut at a line break, else a space, else anywhere) and packed greedily.
///    Each next chunk of the section opens with an overlap taken from the previous chunk's own text:
///    its last one or two sentences if they fit, else its last characters from a word start; what
///    fits is `overlapSize`, and never more than leaves room for the chunk's first unit. No overlap
///    copies part of a protected block.
/// 4. One pass over pairs: a chunk shorter than `minChunkSize` merges with the next when the merged
///    span fits in `maxChunkSize` (the span is the input's, so the blank line between stays); the first
///    chunk's type, the higher importance, `merged: true, original_chunks: 2`.
/// 5. Type, first match wins: code_block > command > error_message > question > decision >
///    instruction > fact > conversation (see ``ChunkType``). Word lists match whole words, any case.
/// 6. `language`: the first tagged fence's word; else, when the chunk holds code (a fence, an inline
///    span or a command line), a guess from that code only: java (`public class`, `import java`),
///    python (`import` with `def`/`class`), javascript (`function`/`const`/`let`), c (`#include`,
///    `int main`), php (`<?php`), sql (SELECT/INSERT, any case), bash (`curl`/`wget`).
/// 7. `importance` = 0.5 + min(length/1000, 0.2) + 0.2 (code) + 0.15 (error rule) + 0.1 (question
///    rule) + 0.15 (decision words but prefer) + 0.2 (`context.is_critical`), clamped to 0...1.
///
/// Every scalar of the input lands in a chunk (whitespace-only input gives none); time and output
/// are linear in the input, and there is no regular expression.
package struct TextChunker: Sendable {
    package init() {}

    /// The chunks of `text`, in input order.
    package func chunk(_ text: String, options: ChunkingOptions) -> [TextChunk] {
        let scalars = Array(text.unicodeScalars)
        let layout = ChunkLayout(scalars: scalars)
        guard !layout.units.isEmpty else { return [] }
        let sizes = ChunkSizes(options)
        let packer = ChunkPacker(layout: layout, sizes: sizes)
        let critical = options.context["is_critical"]?.isTruthy ?? false
        let classified = packer.drafts().map { packer.classify($0, critical: critical) }
        let merged = Self.mergingSmallChunks(classified, sizes: sizes)
        return merged.enumerated().map { index, chunk in
            Self.textChunk(chunk, index: index, total: merged.count, scalars: scalars, context: options.context)
        }
    }

    /// Rule 4: one pass, pairs; a merged chunk is not merged again.
    static func mergingSmallChunks(_ chunks: [ClassifiedChunk], sizes: ChunkSizes) -> [ClassifiedChunk] {
        var result: [ClassifiedChunk] = []
        result.reserveCapacity(chunks.count)
        var index = 0
        while index < chunks.count {
            let first = chunks[index]
            if first.range.count < sizes.minimum, index + 1 < chunks.count {
                let second = chunks[index + 1]
                let span = first.range.lowerBound..<second.range.upperBound
                if span.count <= sizes.maximum {
                    result.append(
                        ClassifiedChunk(
                            range: span, ownStart: first.ownStart, type: first.type,
                            importance: max(first.importance, second.importance),
                            containsCode: first.containsCode || second.containsCode,
                            language: first.language ?? second.language,
                            semanticBoundary: second.semanticBoundary,
                            hasProtectedBlock: first.hasProtectedBlock || second.hasProtectedBlock, merged: true))
                    index += 2
                    continue
                }
            }
            result.append(first)
            index += 1
        }
        return result
    }

    static func textChunk(_ chunk: ClassifiedChunk, index: Int, total: Int, scalars: [Unicode.Scalar], context: JSONObject) -> TextChunk {
        let range = chunk.range
        let words = ChunkWords(scalars: scalars, range: range)
        let readability = ChunkScan.readability(scalars, range)
        var metadata: JSONObject = [
            "original_length": .int(Int64(range.upperBound - chunk.ownStart)),
            "processed_length": .int(Int64(range.count)),
            "has_preserved_blocks": .bool(chunk.hasProtectedBlock),
            "context": context["session_context"] ?? .object([:]),
            "word_count": .int(Int64(readability.words)),
            "line_count": .int(Int64(ChunkScan.lineCount(scalars, range))),
            "chunk_index": .int(Int64(index)),
            "total_chunks": .int(Int64(total)),
            "is_first": .bool(index == 0),
            "is_last": .bool(index == total - 1),
            "readability": .object([
                "words_per_sentence": .double(Self.roundedToHundredths(readability.wordsPerSentence)),
                "avg_word_length": .double(Self.roundedToHundredths(readability.averageWordLength)),
            ]),
            "key_phrases": .array(ChunkRules.keyPhrases(words).map(JSONValue.string)),
        ]
        if !context.isEmpty {
            for key in ["session_id", "user_id", "timestamp"] { metadata[key] = context[key] ?? .null }
        }
        if chunk.merged {
            metadata["merged"] = .bool(true)
            metadata["original_chunks"] = .int(2)
        }
        return TextChunk(
            content: ChunkScan.string(scalars, range), chunkType: chunk.type, startIndex: range.lowerBound,
            endIndex: range.upperBound, metadata: metadata, importance: chunk.importance,
            containsCode: chunk.containsCode, language: chunk.language, semanticBoundary: chunk.semanticBoundary)
    }

    /// The MemoryHub memory type process-conversation gives a chunk of this type: code_block and
    /// command → code, error_message → error, instruction → pattern, decision → decision, else fact.
    package static func memoryType(for type: ChunkType) -> String {
        let memoryType: MemoryType =
            switch type {
            case .codeBlock, .command: .code
            case .errorMessage: .error
            case .instruction: .pattern
            case .decision: .decision
            case .conversation, .question, .answer, .fact: .fact
            }
        return memoryType.rawValue
    }

    /// `/chunk`'s `statistics` for these chunks.
    package func statistics(of chunks: [TextChunk]) -> ChunkingStatistics {
        ChunkingStatistics(chunks: chunks)
    }

    /// `/preview-chunks`' `preview` items for these chunks.
    package func previews(of chunks: [TextChunk]) -> [ChunkPreview] {
        chunks.enumerated().map { index, chunk in
            ChunkPreview(
                index: index, chunkType: chunk.chunkType, length: chunk.content.unicodeScalars.count,
                preview: Self.previewText(chunk.content), importance: Self.roundedToHundredths(chunk.importance),
                containsCode: chunk.containsCode, language: chunk.language)
        }
    }

    /// The first 100 Unicode scalars of `content`, with "..." when there were more.
    package static func previewText(_ content: String) -> String {
        let scalars = content.unicodeScalars
        guard scalars.count > 100 else { return content }
        return String(String.UnicodeScalarView(scalars.prefix(100))) + "..."
    }

    /// `value` rounded to 2 decimals, as KnowledgeHub's `round(x, 2)`.
    package static func roundedToHundredths(_ value: Double) -> Double {
        (value * 100).rounded() / 100
    }
}

/// The sizes one call works with, clamped so that nothing traps on options the HTTP layer would
/// have refused.
struct ChunkSizes {
    var maximum: Int
    var minimum: Int
    var overlap: Int

    init(_ options: ChunkingOptions) {
        maximum = max(1, options.maxChunkSize)
        minimum = max(0, options.minChunkSize)
        overlap = min(max(0, options.overlapSize), maximum - 1)
    }

    /// How long the pieces of an over-long sentence are: room is left for an overlap when the overlap
    /// takes at most half a chunk, so that cut prose keeps its context.
    var piece: Int { overlap * 2 <= maximum ? maximum - overlap : maximum }
}
