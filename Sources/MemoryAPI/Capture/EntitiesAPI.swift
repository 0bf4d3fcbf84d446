package import MemoryCore

/// `/api/memory/entities` (API-more.md "Entities"): pattern-based entity extraction, pure
/// computation on the request.
package enum EntitiesAPI {
    static let extractor = EntityExtractor()

    /// POST `/extract`: `text`*, `context`, `custom_entities`.
    package static func extract(_ fields: JSONFields) throws -> JSONValue {
        let clock = ContinuousClock(), start = clock.now
        let text = try CaptureInput.text(fields, "text")
        _ = try fields.object("context")
        let entities = extractor.extract(text, customEntities: try CaptureInput.strings(fields, "custom_entities"))
        return .object([
            "entities": .array(entities.map { entity($0) }),
            "total_entities": .int(Int64(entities.count)),
            "processing_time_ms": .double(APIRepresentation.milliseconds(clock.now - start)),
            "statistics": .object(EntityExtractor.statistics(of: entities).responseJSON(textLength: text.unicodeScalars.count)),
            "spacy_available": false,
        ])
    }

    /// POST `/enrich-chunks`: each chunk with `entities`, `entity_details` and
    /// `metadata.entity_stats`; other keys are kept.
    package static func enrichChunks(_ fields: JSONFields) throws -> JSONValue {
        let chunks = try CaptureInput.contentChunks(fields)
        var total = 0, withEntities = 0
        let enriched = chunks.map { chunk -> JSONValue in
            let entities = extractor.extract(chunk.content)
            total += entities.count
            if !entities.isEmpty { withEntities += 1 }
            var result = chunk.object
            var metadata = chunk.metadata
            metadata["entity_stats"] = .object(EntityExtractor.statistics(of: entities).chunkJSON)
            result["metadata"] = .object(metadata)
            result["entities"] = .array(entities.map { .string($0.text) })
            result["entity_details"] = .array(entities.map { entity($0) })
            return .object(result)
        }
        return .object([
            "enriched_chunks": .array(enriched), "total_chunks": .int(Int64(chunks.count)),
            "total_entities": .int(Int64(total)), "chunks_with_entities": .int(Int64(withEntities)),
        ])
    }

    /// GET `/entity-types`.
    package static func entityTypes() -> JSONValue {
        .object([
            "entity_types": .object(Dictionary(uniqueKeysWithValues: EntityType.allCases.map { ($0.rawValue, .string($0.typeDescription)) })),
            "total_types": .int(Int64(EntityType.allCases.count)),
            "spacy_available": false,
        ])
    }

    /// POST `/analyze-entities`: `text` from the query (KnowledgeHub) or the body.
    package static func analyze(text: String) throws -> JSONValue {
        .object(extractor.analyze(try CaptureInput.checked(text, "text")).json)
    }

    /// POST `/extract-from-chunks`: a bare array of `{content, metadata}`; empty chunks are
    /// skipped, keeping indexes.
    package static func extractFromChunks(_ body: JSONValue?) throws -> JSONValue {
        let (count, chunks) = try CaptureInput.bareChunks(body)
        var total = 0, withEntities = 0
        let results = chunks.map { chunk -> JSONValue in
            let entities = extractor.extract(chunk.content)
            total += entities.count
            if !entities.isEmpty { withEntities += 1 }
            return .object([
                "chunk_index": .int(Int64(chunk.index)),
                "entities": .array(entities.map { entity in
                    .object([
                        "text": .string(entity.text), "type": .string(entity.entityType.rawValue), "confidence": .double(entity.confidence),
                        "start_pos": .int(Int64(entity.startPos)), "end_pos": .int(Int64(entity.endPos)),
                    ])
                }),
                "entity_count": .int(Int64(entities.count)),
                "chunk_metadata": .object(chunk.metadata),
            ])
        }
        return .object([
            "results": .array(results), "total_chunks": .int(Int64(count)), "total_entities": .int(Int64(total)),
            "chunks_with_entities": .int(Int64(withEntities)),
        ])
    }

    static func entity(_ entity: ExtractedEntity) -> JSONValue {
        .object([
            "text": .string(entity.text), "entity_type": .string(entity.entityType.rawValue),
            "start_pos": .int(Int64(entity.startPos)), "end_pos": .int(Int64(entity.endPos)),
            "confidence": .double(entity.confidence), "context": .string(entity.context), "metadata": .object(entity.metadata),
        ])
    }
}
