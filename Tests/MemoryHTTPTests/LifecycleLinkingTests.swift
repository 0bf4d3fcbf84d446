import Foundation
import HTTPTypes
import Logging
import MemoryCache
import MemoryCore
import MemoryService
import MemoryStore
import Testing

/// API-more.md "Lifecycle", "Linking" and "Context feedback" on both stores, with the failure
/// modes of KnowledgeHub each as a test that would have caught it.
@Suite struct LifecycleLinkingTests {
    static func user(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(6))" }

    @Test func lifecycleStartStateInsightsAndTransitions() async throws {
        try await LiveAPI.run { api, _ in
            let alice = Self.user("alice")
            let started = try await api.post("/api/memory/lifecycle/start", ["user_id": .string(alice), "project_id": "shop", "context_window": 25, "auto_link": false])
            #expect(started.status == .created, "\(api.deployment): \(started.text)")
            #expect(started["metadata"]?.objectValue?["context_window"] == .int(25))
            #expect(started["metadata"]?.objectValue?["auto_link"] == .bool(false))
            expectError(try await api.post("/api/memory/lifecycle/start", ["user_id": .string(alice), "context_window": 0]), .unprocessableContent, field: "context_window")
            let id = started.id
            _ = try await api.createMemory(id, "We decided to ship on Fridays. TODO: write the runbook", type: "decision", ["importance": 0.9, "entities": ["runbook", "release"]])
            _ = try await api.createMemory(id, "Build failed: cannot find Deployer in scope", type: "error", ["entities": ["Deployer"]])
            _ = try await api.createMemory(id, "The cache TTL is one hour", type: "fact", ["importance": 0.85, "entities": ["cache", "release"]])

            // State and insights of an ACTIVE session (a 500 in KnowledgeHub).
            let state = try await api.get("/api/memory/lifecycle/\(id)/state")
            #expect(state.status == .ok, "\(state.text)")
            #expect(state["state"] == "active" && state["is_active"] == .bool(true) && state["health_status"] == "healthy")
            #expect(state["memory_count"] == .int(3) && state["warnings"] == .array([]))
            #expect((state["duration_minutes"]?.numberValue ?? -1) >= 0 && (state["duration_minutes"]?.numberValue ?? 99) < 5)
            let insights = try await api.get("/api/memory/lifecycle/\(id)/insights")
            #expect(insights.status == .ok, "\(insights.text)")
            #expect(insights["memory_count"] == .int(3) && insights["important_memories"] == .int(2))
            #expect(insights["topics"]?.arrayValue?.first == "release")
            #expect(insights["action_items"]?.arrayValue?.count == 1 && insights["errors_encountered"]?.arrayValue?.count == 1)
            #expect(insights["learning_points"] == .array(["The cache TTL is one hour"]))
            #expect(insights["summary"]?.stringValue?.hasPrefix("3 memories recorded") == true)

            // A transition changes what a later read sees (KnowledgeHub reported success and changed nothing).
            let paused = try await api.post("/api/memory/lifecycle/\(id)/transition?new_state=paused")
            #expect(paused.status == .ok, "\(paused.text)")
            #expect(paused["previous_state"] == "active" && paused["new_state"] == "paused")
            let read = try await api.get("/api/memory/session/\(id)")
            #expect(read["state"] == "paused")
            #expect(read["metadata"]?.objectValue?["paused_reason"] == "user_requested" && read["metadata"]?.objectValue?["paused_at"] != nil)
            let resumed = try await api.post("/api/memory/lifecycle/\(id)/transition", ["state": "resumed"])
            #expect(resumed["new_state"] == "active")
            #expect(try await api.get("/api/memory/session/\(id)")["metadata"]?.objectValue?["resumed_at"] != nil)
            expectError(try await api.post("/api/memory/lifecycle/\(id)/transition?new_state=archived"), .conflict, code: "invalid_transition")
            expectError(try await api.post("/api/memory/lifecycle/\(id)/transition?new_state=asleep"), .unprocessableContent, field: "new_state")
            expectError(try await api.post("/api/memory/lifecycle/\(id)/transition"), .unprocessableContent)
            // To ended is a full end: ended_at set (KnowledgeHub left it null).
            let ended = try await api.post("/api/memory/lifecycle/\(id)/transition?new_state=ended")
            #expect(ended["new_state"] == "ended")
            let after = try await api.get("/api/memory/session/\(id)")
            #expect(after["ended_at"]?.stringValue != nil && after["end_reason"] == "user_requested")
            #expect(try await api.get("/api/memory/lifecycle/\(id)/state")["is_active"] == .bool(false))
            #expect(try await api.post("/api/memory/lifecycle/\(id)/end", ["reason": "normal"]).status == .ok, "ending an ended session is a no-op")
            expectError(try await api.post("/api/memory/lifecycle/\(id)/end", ["reason": "bored"]), .unprocessableContent, field: "reason")

            // Errors a caller can cause.
            expectError(try await api.get("/api/memory/lifecycle/not-a-uuid/state"), .badRequest)
            expectError(try await api.get("/api/memory/lifecycle/\(UUID().uuidString)/state"), .notFound)
            expectError(try await api.get("/api/memory/lifecycle/\(id)/insights", user: Self.user("bob")), .notFound)
            expectError(try await api.post("/api/memory/lifecycle/\(id)/transition?new_state=archived", user: Self.user("bob")), .notFound)
            for name in ["linking", "lifecycle"] {
                let health = try await api.get("/api/memory/\(name)/health")
                #expect(health.status == .ok && health["service"] == .string(name))
            }
        }
    }

    @Test func chainsOfEndedSessionsMergesAndCycles() async throws {
        try await LiveAPI.run { api, services in
            let alice = Self.user("alice")
            let a = try await api.startSession(alice, ["project_id": "shop"])
            _ = try await api.createMemory(a, "First step", type: "fact", ["entities": ["redis"]])
            _ = try await api.post("/api/memory/session/\(a)/end")
            let b = try await api.startSession(alice, ["project_id": "shop", "parent_session_id": .string(a), "tags": ["deploy"]])
            _ = try await api.post("/api/memory/session/\(b)/end")
            let c = try await api.startSession(alice, ["project_id": "shop", "parent_session_id": .string(b)])

            // The full chain and its analysis once sessions have ended (a 500 in KnowledgeHub).
            let full = try await api.get("/api/memory/linking/chain/\(b)/full")
            #expect(full.status == .ok, "\(api.deployment): \(full.text)")
            #expect(full["chain_length"] == .int(3) && full["root_session_id"] == .string(a))
            let sessions = full["sessions"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(sessions.map { $0["session_id"]?.stringValue } == [a, b, c])
            #expect(sessions.map { $0["is_current"] } == [.bool(false), .bool(true), .bool(false)])
            #expect(sessions.first?["duration"]?.numberValue != nil && sessions.last?["duration"] == .null)
            #expect(full["total_memories"] == .int(1))
            let analysis = try await api.get("/api/memory/linking/chain/\(c)/analysis")
            #expect(analysis.status == .ok, "\(analysis.text)")
            #expect(analysis["unique_topics"]?.arrayValue?.contains("redis") == true && analysis["unique_topics"]?.arrayValue?.contains("deploy") == true)
            let summary = analysis["session_summary"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(summary.map { $0["has_children"] } == [.bool(true), .bool(true), .bool(false)])
            #expect(analysis["continuation_patterns"]?.objectValue?["average_gap_minutes"] != nil)

            // Merge another chain under the primary chain's latest session.
            let d = try await api.startSession(alice, ["project_id": "shop", "auto_link": false])
            let merged = try await api.post("/api/memory/linking/chain/merge", ["primary_chain_session_id": .string(a), "secondary_chain_session_id": .string(d)])
            #expect(merged.status == .ok, "\(merged.text)")
            let result = merged["result"]?.objectValue ?? [:]
            #expect(result["merged_chain_root"] == .string(a) && result["merge_point"] == .string(c) && result["total_sessions"] == .int(4))
            let linked = try await api.get("/api/memory/session/\(d)")
            #expect(linked["parent_session_id"] == .string(c))
            #expect(linked["tags"]?.arrayValue?.contains("merged-chain") == true && linked["metadata"]?.objectValue?["merged_from"] == .string(d))
            #expect(try await api.get("/api/memory/linking/chain/\(d)/full")["chain_length"] == .int(4))
            // Merging one chain into itself would make a cycle: refused.
            expectError(try await api.post("/api/memory/linking/chain/merge", ["primary_chain_session_id": .string(d), "secondary_chain_session_id": .string(a)]), .conflict, code: "same_chain")
            expectError(try await api.post("/api/memory/linking/chain/merge", ["primary_chain_session_id": .string(a), "secondary_chain_session_id": .string(a)]), .conflict, code: "same_chain")
            let bob = try await api.startSession(Self.user("bob"))
            expectError(try await api.post("/api/memory/linking/chain/merge", ["primary_chain_session_id": .string(a), "secondary_chain_session_id": .string(bob)]), .notFound)
            expectError(try await api.post("/api/memory/linking/chain/merge", ["primary_chain_session_id": .string(a)]), .unprocessableContent, field: "secondary_chain_session_id")
            expectError(try await api.get("/api/memory/linking/chain/\(a)/full", user: Self.user("eve")), .notFound)

            // A parent cycle written behind the API's back cannot make a chain read loop.
            var cycle = SessionChange()
            cycle.parentSessionID = try #require(UUID(uuidString: d))
            _ = try await services.store.updateSession(id: try #require(UUID(uuidString: a)), userID: alice, change: cycle, at: .now())
            await services.sessionCache.remove(id: try #require(UUID(uuidString: a)))
            let looped = try await api.get("/api/memory/linking/chain/\(b)/full")
            #expect(looped.status == .ok && looped["chain_length"] == .int(4), "\(looped.text)")
        }
    }

    @Test func suggestionsRankRecentThenSimilarThenProject() async throws {
        try await LiveAPI.run { api, _ in
            let alice = Self.user("alice")
            let active = try await api.startSession(alice, ["project_id": "shop"])
            _ = try await api.createMemory(active, "Tuning the postgres connection pool", type: "fact", ["entities": ["postgres"]])
            let ended = try await api.startSession(alice, ["project_id": "shop", "auto_link": false])
            _ = try await api.createMemory(ended, "Migrating the billing service to kafka", type: "fact", ["entities": ["kafka"]])
            _ = try await api.post("/api/memory/session/\(ended)/end")
            let response = try await api.post("/api/memory/linking/suggestions", ["user_id": .string(alice), "project_id": "shop", "context_hint": "billing service on kafka"])
            #expect(response.status == .ok, "\(response.text)")
            let suggestions = response["suggestions"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(suggestions.first?["session_id"] == .string(active) && suggestions.first?["link_type"] == "recent_active")
            #expect(suggestions.contains { $0["session_id"] == .string(ended) && $0["link_type"] == "contextual_similarity" }, "\(response.text)")
            #expect(Set(suggestions.compactMap { $0["session_id"]?.stringValue }).count == suggestions.count, "each session once")
            #expect(response["best_suggestion"]?.objectValue?["session_id"] == .string(active))
            let best = try await api.get("/api/memory/linking/suggestion/best?user_id=\(alice)&project_id=shop")
            #expect(best["has_suggestion"] == .bool(true) && best["session_id"] == .string(active))
            let nobody = try await api.get("/api/memory/linking/suggestion/best?user_id=\(Self.user("carol"))")
            #expect(nobody["has_suggestion"] == .bool(false))
            expectError(try await api.post("/api/memory/linking/suggestions", [:]), .unprocessableContent)
        }
    }

    @Test func contextFeedbackCountsAccessesOfTheUsersMemoriesOnly() async throws {
        try await LiveAPI.run { api, _ in
            let alice = Self.user("alice")
            let bob = Self.user("bob")
            let session = try await api.startSession(alice)
            let first = try await api.createMemory(session, "Alpha fact")
            let second = try await api.createMemory(session, "Beta fact")
            let foreign = try await api.createMemory(try await api.startSession(bob), "Bob's fact")
            let response = try await api.post("/api/memory/context/feedback", [
                "user_id": .string(alice), "memory_ids": [.string(first), .string(second), .string(foreign), .string(UUID().uuidString)],
                "effectiveness_score": 0.75, "feedback": "helpful",
            ])
            #expect(response.status == .ok, "\(response.text)")
            #expect(response["memories_updated"] == .int(2) && response["effectiveness_score"] == .double(0.75))
            let read = try await api.get("/api/memory/memories/\(first)?user_id=\(alice)")
            // The feedback counted one access, and the read itself another.
            #expect(read["access_count"] == .int(2), "\(read.text)")
            #expect(try await api.get("/api/memory/memories/\(foreign)?user_id=\(bob)")["access_count"] == .int(1))
            expectError(try await api.post("/api/memory/context/feedback", ["user_id": .string(alice), "memory_ids": []]), .unprocessableContent, field: "memory_ids")
            expectError(try await api.post("/api/memory/context/feedback", ["user_id": .string(alice), "memory_ids": [.string(first)], "effectiveness_score": 1.5]), .unprocessableContent, field: "effectiveness_score")
            let tooMany = JSONValue.array((0..<201).map { _ in .string(UUID().uuidString) })
            expectError(try await api.post("/api/memory/context/feedback", ["user_id": .string(alice), "memory_ids": tooMany]), .unprocessableContent, field: "memory_ids")
            expectError(try await api.post("/api/memory/context/feedback", ["memory_ids": [.string(first)]]), .unprocessableContent)
        }
    }

    /// Two replicas on one store (PostgreSQL + Redis under make test): a merge on one is seen by
    /// the next chain read on the other, even with the secondary root in the other's cache.
    @Test func aMergeOnOneReplicaIsSeenByTheOther() async throws {
        for deployment in try LiveAPI.deployments {
            let one = try MemoryHubServices.open(deployment, logger: Logger(label: "replica-1"))
            let two = try MemoryHubServices.open(deployment, logger: Logger(label: "replica-2"))
            try await one.withBackgroundServices { one in
                try await two.withBackgroundServices { two in
                    let user = Self.user("alice")
                    let primary = try await one.sessions.start(SessionStartRequest(userID: user, projectID: "shop", autoLink: false)).session
                    let secondary = try await one.sessions.start(SessionStartRequest(userID: user, projectID: "shop", autoLink: false)).session
                    // Replica two has both sessions cached, unlinked.
                    #expect(try await two.sessions.chain(id: secondary.id, actingUser: user).count == 1)
                    _ = try await two.sessions.session(id: secondary.id, actingUser: user)
                    let merged = try await one.sessions.mergeChains(primary: primary.id, secondary: secondary.id, reason: "test", actingUser: user)
                    #expect(merged.mergePoint == primary.id)
                    let chain = try await two.sessions.chain(id: secondary.id, actingUser: user)
                    #expect(chain.map(\.id) == [primary.id, secondary.id], "\(deployment.isPostgres ? "postgres" : "sqlite")")
                    #expect(try await two.sessions.session(id: secondary.id, actingUser: user).parentSessionID == primary.id)
                }
            }
        }
    }
}
