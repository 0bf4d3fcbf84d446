package import MemoryCore
package import MemoryService
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension CompressionRequest {
    /// `POST /api/memory/compression/compress` and `/compress/preview` (and MCP
    /// `compress_session_context`): `session_id` (else `defaultSessionID`; 422 when neither),
    /// `target_tokens` 500-16000 (4000), `strategy` (hybrid), `level` (moderate); 422 naming the
    /// field for a value out of range or unknown.
    package init(fields: JSONFields, defaultSessionID: UUID? = nil) throws {
        guard let sessionID = try fields.uuid("session_id") ?? defaultSessionID else {
            throw MemoryHubError.invalidField("session_id", "session_id is required.")
        }
        self.init(
            sessionID: sessionID,
            targetTokens: try fields.int("target_tokens", in: Self.targetRange) ?? 4000,
            strategy: try fields.enumeration("strategy", CompressionStrategy.self) ?? .hybrid,
            level: try fields.enumeration("level", CompressionLevel.self) ?? .moderate)
    }
}
