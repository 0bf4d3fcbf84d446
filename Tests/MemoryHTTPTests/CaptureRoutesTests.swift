import Foundation
import HTTPTypes
import MemoryCore
import Testing

/// The capture routes of API-more.md over a live socket, on both deployments: each answers with
/// KnowledgeHub's shape, and each error a caller can cause is a clear 4xx naming the field.
@Suite struct CaptureRoutesTests {
    static let conversation = """
        We decided to use PostgreSQL for the billing service because it handles concurrent writers.

        Next, the connection helper:

        ```python
        import os
        def connect():
            return os.environ["DATABASE_URL"]
        ```

        Then run the migration:

        $ make migrate

        However, the migration failed. Error: connection refused on port 5432.
        """

    @Test func textRoutesChunkAnalyzeAndPreview() async throws {
        try await LiveAPI.run { api, _ in
            let chunked = try await api.post("/api/memory/text/chunk", ["text": .string(Self.conversation), "max_chunk_size": 200, "min_chunk_size": 10])
            #expect(chunked.status == .ok, "\(chunked.text)")
            let chunks = chunked["chunks"]?.arrayValue ?? []
            let types = chunks.compactMap { $0.objectValue?["chunk_type"]?.stringValue }
            #expect(types.contains("code_block") && types.contains("command") && types.contains("decision"), "\(types)")
            let code = chunks.first { $0.objectValue?["chunk_type"] == "code_block" }?.objectValue
            #expect(code?["language"] == "python" && code?["contains_code"] == true)
            // Offsets are Unicode scalars into the input, end exclusive, and content is that span.
            let scalars = Array(Self.conversation.unicodeScalars)
            for chunk in chunks.compactMap(\.objectValue) {
                let start = Int(chunk["start_index"]?.numberValue ?? -1), end = Int(chunk["end_index"]?.numberValue ?? -1)
                var span = String.UnicodeScalarView()
                span.append(contentsOf: scalars[start..<end])
                #expect(String(span) == chunk["content"]?.stringValue)
            }
            #expect(chunked["statistics"]?.objectValue?["chunk_type_distribution"]?.objectValue?.count == 9)

            let analyzed = try await api.post("/api/memory/text/analyze-text?text=How%20does%20it%20work%3F")
            #expect(analyzed["questions"] == 1 && analyzed["primary_content_type"] == "general", "\(analyzed.text)")
            let byBody = try await api.post("/api/memory/text/analyze-text", ["text": ""])
            #expect(byBody.status == .ok && byBody["complexity_score"] == 0.0, "\(byBody.text)")
            let preview = try await api.post("/api/memory/text/preview-chunks", ["text": .string(Self.conversation), "max_chunk_size": 200, "min_chunk_size": 10])
            #expect(preview["total_chunks"] == chunked["total_chunks"] && preview["settings"]?.objectValue?["max_chunk_size"] == 200)
            let types2 = try await api.get("/api/memory/text/chunk-types")
            #expect(types2["total_types"] == 9)

            expectError(try await api.post("/api/memory/text/chunk", [:]), .unprocessableContent, field: "text")
            expectError(try await api.post("/api/memory/text/chunk", ["text": "x", "max_chunk_size": 4096]), .unprocessableContent, field: "max_chunk_size")
            expectError(
                try await api.post("/api/memory/text/chunk", ["text": "x", "max_chunk_size": 100, "min_chunk_size": 200]), .unprocessableContent,
                field: "min_chunk_size")
            expectError(
                try await api.post("/api/memory/text/chunk", ["text": "x", "max_chunk_size": 100, "overlap_size": 100]), .unprocessableContent,
                field: "overlap_size")
            expectError(
                try await api.post("/api/memory/text/chunk", ["text": .string(String(repeating: "a", count: 256 * 1024 + 1))]), .unprocessableContent,
                field: "text")
            expectError(try await api.post("/api/memory/text/analyze-text"), .unprocessableContent, field: "text")
        }
    }

    @Test func processConversationChunksForTheSessionOwnerAndCanStore() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("uma", ["project_id": "billing"])
            let text = Self.conversation + "\n\nThe deploy token is ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 for CI."
            let dry = try await api.post("/api/memory/text/process-conversation", [
                "text": .string(text), "session_id": .string(session), "user_id": "uma", "max_chunk_size": 200, "min_chunk_size": 10,
            ])
            #expect(dry.status == .ok, "\(dry.text)")
            let items = dry.array.compactMap(\.objectValue)
            #expect(items.contains { $0["chunk_type"] == "code_block" && $0["memory_type"] == "code" }, "\(dry.text)")
            #expect(items.contains { $0["chunk_type"] == "decision" && $0["memory_type"] == "decision" })
            #expect(items.allSatisfy { $0["memory_id"] == nil })
            #expect(try await api.get("/api/memory/session/\(session)")["memory_count"] == 0)

            let stored = try await api.post("/api/memory/text/process-conversation", [
                "text": .string(text), "session_id": .string(session), "user_id": "uma", "max_chunk_size": 200, "min_chunk_size": 10,
                "store": true,
            ])
            #expect(stored.status == .created, "\(stored.text)")
            let ids = stored.array.compactMap { $0.objectValue?["memory_id"]?.stringValue }
            #expect(ids.count == items.count)
            let listed = try await api.get("/api/memory/memories/session/\(session)?limit=200")
            #expect(listed.array.count == Set(ids).count)
            #expect(!listed.text.contains("a1B2c3D4e5F6") && listed.text.contains("[REDACTED:github_token]"), "\(listed.text)")

            // Another user's session is a 404; a missing user or session a 422.
            expectError(
                try await api.post("/api/memory/text/process-conversation", ["text": "x", "session_id": .string(session), "user_id": "vic"]),
                .notFound)
            expectError(try await api.post("/api/memory/text/process-conversation", ["text": "x", "session_id": .string(session)]), .unprocessableContent, field: "user_id")
            expectError(try await api.post("/api/memory/text/process-conversation", ["text": "x", "user_id": "uma"]), .unprocessableContent, field: "session_id")
            // Storing is bounded like a batch; nothing is written when the text makes too many chunks.
            let many = String(repeating: "Short line here.\n\n", count: 600)
            expectError(
                try await api.post("/api/memory/text/process-conversation", [
                    "text": .string(many), "session_id": .string(session), "user_id": "uma", "max_chunk_size": 20, "min_chunk_size": 1, "overlap_size": 0,
                    "store": true,
                ]), .unprocessableContent, field: "store")
        }
    }

    @Test func entityRoutesExtractEnrichAndAnalyze() async throws {
        try await LiveAPI.run { api, _ in
            let extracted = try await api.post("/api/memory/entities/extract", [
                "text": "Café: see https://example.com/docs, mail ops@example.com; we use PostgreSQL and Redis. Ask Nadia.",
                "custom_entities": ["Nadia"],
            ])
            #expect(extracted.status == .ok, "\(extracted.text)")
            let entities = extracted["entities"]?.arrayValue?.compactMap(\.objectValue) ?? []
            let byText = Dictionary(entities.map { ($0["text"]?.stringValue ?? "", $0["entity_type"]?.stringValue ?? "") }, uniquingKeysWith: { a, _ in a })
            #expect(byText["https://example.com/docs"] == "url" && byText["ops@example.com"] == "email", "\(byText)")
            #expect(byText["PostgreSQL"] == "database" && byText["Redis"] == "database" && byText["Nadia"] == "concept")
            // Offsets count Unicode scalars: "Café" is four.
            let url = entities.first { $0["entity_type"] == "url" }
            #expect(url?["start_pos"] == 10, "\(String(describing: url))")
            #expect(extracted["spacy_available"] == false)

            let enriched = try await api.post("/api/memory/entities/enrich-chunks", [
                "chunks": [["content": "We run Docker on AWS", "metadata": ["k": 1], "keep": "me"], ["content": "nothing here"]],
            ])
            let first = enriched["enriched_chunks"]?.arrayValue?.first?.objectValue
            #expect(first?["keep"] == "me" && first?["entities"]?.arrayValue?.count == 2, "\(enriched.text)")
            #expect(enriched["chunks_with_entities"] == 1)
            expectError(try await api.post("/api/memory/entities/enrich-chunks", ["chunks": [["content": "x"], ["metadata": [:]]]]), .unprocessableContent, field: "chunks")

            let fromChunks = try await api.send(.post, "/api/memory/entities/extract-from-chunks", json: [["content": "Python"], ["content": ""], ["content": "Kubernetes"]])
            #expect(fromChunks["total_chunks"] == 3 && fromChunks["results"]?.arrayValue?.count == 2, "\(fromChunks.text)")
            #expect(fromChunks["results"]?.arrayValue?.last?.objectValue?["chunk_index"] == 2)
            expectError(try await api.post("/api/memory/entities/extract-from-chunks", ["content": "x"]), .badRequest)

            let analyzed = try await api.post("/api/memory/entities/analyze-entities", ["text": "python and docker at https://x.io"])
            #expect(analyzed["estimated_entities"] == 3, "\(analyzed.text)")
            #expect(try await api.get("/api/memory/entities/entity-types")["total_types"] == 18)
            expectError(try await api.post("/api/memory/entities/extract", ["text": 5]), .unprocessableContent, field: "text")
            // Terms are bounded (matching walks up to the longest term from every word).
            expectError(
                try await api.post("/api/memory/entities/extract", ["text": "a a a", "custom_entities": .array([.string(String(repeating: "a ", count: 200))])]),
                .unprocessableContent, field: "custom_entities")
        }
    }

    @Test func importanceRoutesScoreRankAndExplain() async throws {
        try await LiveAPI.run { api, _ in
            let scored = try await api.post("/api/memory/importance/score", ["content": "IMPORTANT: we must rotate the database credentials before Friday!!"])
            #expect(scored.status == .ok, "\(scored.text)")
            let normalized = scored["normalized_score"]?.numberValue ?? -1
            #expect(normalized > 0.065 && normalized <= 1)
            #expect(scored["factor_scores"]?.objectValue?["explicitness"] != nil)
            #expect(scored["reasoning"]?.arrayValue?.isEmpty == false)

            let plain = try await api.post("/api/memory/importance/score", ["content": "hello there"])
            #expect(plain["total_score"] == 0.065, "\(plain.text)")
            let weighted = try await api.post("/api/memory/importance/score", ["content": "hello there", "weights": ["recency": 0]])
            #expect(weighted["total_score"] == 0.04, "\(weighted.text)")
            expectError(try await api.post("/api/memory/importance/score", ["content": "x", "weights": ["nope": 1]]), .unprocessableContent, field: "weights")

            let factors = try await api.get("/api/memory/importance/factors")
            #expect(factors["total_factors"] == 12 && factors["weight_sum"] == 1.35, "\(factors.text)")

            let batch = try await api.post("/api/memory/importance/score-batch", [
                "memories": [["content": "minor note"], ["content": "CRITICAL security vulnerability: data loss in production"]],
            ])
            #expect(batch["results"]?.arrayValue?.first?.objectValue?["memory"]?.objectValue?["content"]?.stringValue?.hasPrefix("CRITICAL") == true, "\(batch.text)")
            expectError(try await api.post("/api/memory/importance/score-batch", ["memories": []]), .unprocessableContent, field: "memories")
            expectError(
                try await api.post("/api/memory/importance/score-batch", ["memories": .array(Array(repeating: ["content": "x"], count: 1001))]),
                .unprocessableContent, field: "memories")

            let ranked = try await api.post("/api/memory/importance/rank-content", ["content_list": [["content": "ok"], ["content": "We decided: must fix the critical bug today"]]])
            #expect(ranked["ranked_items"]?.arrayValue?.first?.objectValue?["rank"] == 1, "\(ranked.text)")
            let analyzed = try await api.post("/api/memory/importance/analyze-factors", ["content": "We decided to use Redis"])
            #expect(analyzed["top_contributing_factors"]?.arrayValue?.isEmpty == false, "\(analyzed.text)")

            let optimized = try await api.post("/api/memory/importance/optimize-weights", [
                "sample_content": [["content": "critical error, data loss"], ["content": "fine"], ["content": "we decided to use Go"]],
                "expected_rankings": [1, 3, 2],
            ])
            #expect(optimized["sample_count"] == 3 && optimized["rank_correlation"] != nil, "\(optimized.text)")
            expectError(
                try await api.post("/api/memory/importance/optimize-weights", ["sample_content": [["content": "a"]], "expected_rankings": [1, 2]]),
                .unprocessableContent, field: "expected_rankings")
            expectError(try await api.post("/api/memory/importance/optimize-weights", ["sample_content": []]), .unprocessableContent, field: "sample_content")
            // A number too large for an integer is a 422, not a crash.
            expectError(
                try await api.post("/api/memory/importance/optimize-weights", ["sample_content": [["content": "x"]], "expected_rankings": [1e300]]),
                .unprocessableContent, field: "expected_rankings")
        }
    }

    @Test func factRoutesExtractTypeAndRank() async throws {
        try await LiveAPI.run { api, _ in
            let text = "We decided to use Redis for the session cache because it is shared. I prefer small commits. TODO: rotate the keys"
            let extracted = try await api.post("/api/memory/facts/extract", ["text": .string(text), "entities": ["Redis"]])
            #expect(extracted.status == .ok, "\(extracted.text)")
            let facts = extracted["facts"]?.arrayValue?.compactMap(\.objectValue) ?? []
            let decision = facts.first { $0["fact_type"] == "decision" }
            #expect(decision?["content"]?.stringValue?.hasPrefix("to use Redis") == true || decision?["content"]?.stringValue?.hasPrefix("use Redis") == true, "\(facts)")
            #expect(decision?["entities"] == ["Redis"])
            #expect(facts.contains { $0["fact_type"] == "preference" } && facts.contains { $0["fact_type"] == "action_item" })
            // source_span is [start, end) in Unicode scalars of the text.
            if let span = decision?["source_span"]?.arrayValue?.compactMap(\.numberValue), span.count == 2 {
                let scalars = Array(text.unicodeScalars)[Int(span[0])..<Int(span[1])]
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                #expect(String(view).hasPrefix("We decided"), "\(String(view))")
            } else {
                Issue.record("no source_span: \(String(describing: decision))")
            }

            let byType = try await api.post("/api/memory/facts/extract-by-type?text=\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", [
                "fact_types": ["preference"],
            ])
            #expect(byType["facts_found_by_type"] == ["preference": 1], "\(byType.text)")
            expectError(try await api.post("/api/memory/facts/extract-by-type", ["text": "x", "fact_types": ["nonsense"]]), .unprocessableContent, field: "fact_types")

            let fromChunks = try await api.send(.post, "/api/memory/facts/extract-from-chunks", json: [["content": .string(text)], ["content": " "]])
            #expect(fromChunks["total_chunks"] == 2 && fromChunks["results"]?.arrayValue?.count == 1, "\(fromChunks.text)")
            let enriched = try await api.post("/api/memory/facts/enrich-chunks", ["chunks": [["content": .string(text), "keep": 1]]])
            #expect(enriched["enriched_chunks"]?.arrayValue?.first?.objectValue?["keep"] == 1, "\(enriched.text)")
            expectError(try await api.post("/api/memory/facts/enrich-chunks", ["chunks": [["entities": []]]]), .unprocessableContent, field: "chunks")

            let ranked = try await api.post("/api/memory/facts/fact-importance", [
                "facts": ["ok", "We decided: the critical security fix must ship today"],
            ])
            let first = ranked["ranked_facts"]?.arrayValue?.first?.objectValue
            // Typed by its most important extracted fact ("must ship today" is an action item).
            #expect(first?["fact"]?.stringValue?.hasPrefix("We decided") == true && first?["fact_type"] == "action_item", "\(ranked.text)")
            #expect(ranked["ranked_facts"]?.arrayValue?.last?.objectValue?["fact_type"] == "statement")
            #expect(ranked["top_factors"]?.arrayValue?.count == 5)
            expectError(try await api.post("/api/memory/facts/fact-importance", ["facts": []]), .unprocessableContent, field: "facts")

            #expect(try await api.get("/api/memory/facts/fact-types")["total_types"] == 12)
            let analyzed = try await api.post("/api/memory/facts/analyze-facts", ["text": "we decided to fix the bug"])
            #expect((analyzed["estimated_facts"]?.numberValue ?? 0) >= 2, "\(analyzed.text)")
        }
    }

    @Test func perRouterHealthPathsAreAliasesOfReady() async throws {
        try await LiveAPI.run { api, _ in
            for name in ["text", "entities", "facts", "importance"] {
                let health = try await api.get("/api/memory/\(name)/health")
                #expect(health.status == .ok && health["status"] == "healthy" && health["service"]?.stringValue == name, "\(health.text)")
            }
        }
    }
}
