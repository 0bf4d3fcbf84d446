package import MemoryCore

/// `/api/memory/text` (API-more.md "Text processing"): the code-aware chunker, pure computation
/// on the request (process-conversation, which names a session, is served by the route with the
/// session checked by the service).
package enum TextAPI {
    static let chunker = TextChunker()

    /// The chunking options of a request: sizes in their ranges (422 naming the field), min ≤
    /// max, overlap < max.
    package static func options(_ fields: JSONFields, context: JSONObject? = nil) throws -> ChunkingOptions {
        let maxSize = try fields.int("max_chunk_size", in: ChunkingOptions.maxChunkSizeRange) ?? 512
        let minSize = try fields.int("min_chunk_size", in: ChunkingOptions.minChunkSizeRange) ?? min(50, maxSize)
        let overlap = try fields.int("overlap_size", in: ChunkingOptions.overlapSizeRange) ?? min(50, maxSize - 1)
        guard minSize <= maxSize else {
            throw MemoryHubError.invalidField("min_chunk_size", "min_chunk_size (\(minSize)) must not exceed max_chunk_size (\(maxSize)).")
        }
        guard overlap < maxSize else {
            throw MemoryHubError.invalidField("overlap_size", "overlap_size (\(overlap)) must be less than max_chunk_size (\(maxSize)).")
        }
        return ChunkingOptions(
            maxChunkSize: maxSize, minChunkSize: minSize, overlapSize: overlap, context: try context ?? fields.object("context") ?? [:])
    }

    /// The chunks of a request's `text`.
    package static func chunks(_ fields: JSONFields, context: JSONObject? = nil) throws -> (text: String, chunks: [TextChunk], options: ChunkingOptions) {
        let text = try CaptureInput.text(fields, "text")
        let options = try options(fields, context: context)
        return (text, chunker.chunk(text, options: options), options)
    }

    /// POST `/chunk`.
    package static func chunk(_ fields: JSONFields) throws -> JSONValue {
        let clock = ContinuousClock(), start = clock.now
        let (text, chunks, _) = try chunks(fields)
        let statistics = chunker.statistics(of: chunks)
        return .object([
            "chunks": .array(chunks.map { chunk($0) }),
            "total_chunks": .int(Int64(chunks.count)),
            "total_characters": .int(Int64(text.unicodeScalars.count)),
            "processing_time_ms": .double(APIRepresentation.milliseconds(clock.now - start)),
            "statistics": .object([
                "chunk_type_distribution": .object(Dictionary(uniqueKeysWithValues: ChunkType.allCases.map {
                    ($0.rawValue, .int(Int64(statistics.chunkTypeDistribution[$0] ?? 0)))
                })),
                "avg_chunk_size": .double(statistics.averageChunkSize),
                "avg_importance": .double(statistics.averageImportance),
                "code_chunks": .int(Int64(statistics.codeChunks)),
                "languages_detected": .array(statistics.languagesDetected.map(JSONValue.string)),
                "semantic_boundaries": .int(Int64(statistics.semanticBoundaries)),
            ]),
        ])
    }

    /// GET `/chunk-types`.
    package static func chunkTypes() -> JSONValue {
        .object([
            "chunk_types": .object(Dictionary(uniqueKeysWithValues: ChunkType.allCases.map { ($0.rawValue, .string($0.summary)) })),
            "total_types": .int(Int64(ChunkType.allCases.count)),
        ])
    }

    /// POST `/analyze-text`: `text` from the query (KnowledgeHub) or the body.
    package static func analyze(text: String) throws -> JSONValue {
        let analysis = chunker.analyze(try CaptureInput.checked(text, "text"))
        return .object([
            "text_length": .int(Int64(analysis.textLength)),
            "estimated_chunks": .int(Int64(analysis.estimatedChunks)),
            "primary_content_type": .string(analysis.primaryContentType.rawValue),
            "code_blocks": .int(Int64(analysis.codeBlocks)),
            "inline_code": .int(Int64(analysis.inlineCode)),
            "commands": .int(Int64(analysis.commands)),
            "questions": .int(Int64(analysis.questions)),
            "lines": .int(Int64(analysis.lines)),
            "words": .int(Int64(analysis.words)),
            "complexity_score": .double(analysis.complexityScore),
        ])
    }

    /// POST `/preview-chunks`.
    package static func preview(_ fields: JSONFields) throws -> JSONValue {
        let (_, chunks, options) = try chunks(fields)
        return .object([
            "preview": .array(chunker.previews(of: chunks).map { preview in
                .object([
                    "index": .int(Int64(preview.index)), "type": .string(preview.chunkType.rawValue), "length": .int(Int64(preview.length)),
                    "preview": .string(preview.preview), "importance": .double(preview.importance),
                    "contains_code": .bool(preview.containsCode), "language": preview.language.map(JSONValue.string) ?? .null,
                ])
            }),
            "total_chunks": .int(Int64(chunks.count)),
            "settings": .object([
                "max_chunk_size": .int(Int64(options.maxChunkSize)), "min_chunk_size": .int(Int64(options.minChunkSize)),
                "overlap_size": .int(Int64(options.overlapSize)),
            ]),
        ])
    }

    /// A chunk as KnowledgeHub shapes it (`entities` is filled by `/entities/enrich-chunks`).
    package static func chunk(_ chunk: TextChunk, extra: JSONObject = [:]) -> JSONValue {
        var object: JSONObject = [
            "content": .string(chunk.content), "chunk_type": .string(chunk.chunkType.rawValue),
            "start_index": .int(Int64(chunk.startIndex)), "end_index": .int(Int64(chunk.endIndex)),
            "metadata": .object(chunk.metadata), "importance": .double(chunk.importance), "contains_code": .bool(chunk.containsCode),
            "language": chunk.language.map(JSONValue.string) ?? .null, "entities": [], "semantic_boundary": .bool(chunk.semanticBoundary),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }
}
