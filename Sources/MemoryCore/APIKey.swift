#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// An API key as the store keeps it: who it acts for and whether it may administer, never the
/// key itself (only a SHA-256 digest of it).
///
/// A key reads `mhk_<id>_<secret>`: `id` is the record's UUID as 32 lower-case hex digits (so the
/// record is found without searching by secret) and `secret` is 32 random bytes in unpadded
/// base64url (256 bits). The whole key is hashed; the digest is compared in constant time.
package struct APIKey: Sendable, Hashable {
    package var id: UUID
    /// The user the key acts as (an admin key may act for any user it names).
    package var userID: String
    /// A label for people ("laptop", "ci"); nil when none was given.
    package var name: String?
    package var isAdmin: Bool
    /// SHA-256 of the whole key, 32 bytes.
    package var secretHash: [UInt8]
    package var createdAt: Timestamp
    /// When a request last authenticated with the key (recorded at most once a minute).
    package var lastUsedAt: Timestamp?
    /// When it was revoked; a revoked key authenticates nothing.
    package var revokedAt: Timestamp?

    /// Makes a key record.
    package init(
        id: UUID, userID: String, name: String?, isAdmin: Bool, secretHash: [UInt8], createdAt: Timestamp,
        lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.isAdmin = isAdmin
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// The prefix every MemoryHub key starts with.
    package static let prefix = "mhk_"

    /// The text of a new key for `id` with 32 random bytes from the system's secure generator.
    package static func newKeyText(id: UUID) -> String {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + hexID(id) + "_" + base64URL(secret)
    }

    /// The record id a presented key names, or nil when the text is not shaped like a key.
    package static func id(ofKeyText text: String) -> UUID? {
        var utf8 = text.utf8[...]
        guard utf8.count == prefix.utf8.count + 32 + 1 + 43, utf8.starts(with: prefix.utf8) else { return nil }
        utf8 = utf8.dropFirst(prefix.utf8.count)
        var bytes = [UInt8](repeating: 0, count: 16)
        var index = utf8.startIndex
        for position in 0..<32 {
            guard let nibble = hexValue(utf8[index]) else { return nil }
            bytes[position / 2] |= position % 2 == 0 ? nibble << 4 : nibble
            index = utf8.index(after: index)
        }
        guard utf8[index] == UInt8(ascii: "_") else { return nil }
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// A UUID as 32 lower-case hex digits, without dashes.
    static func hexID(_ id: UUID) -> String {
        String(id.uuidString.lowercased().filter { $0 != "-" })
    }

    /// Unpadded base64url (RFC 4648 §5).
    static func base64URL(_ bytes: [UInt8]) -> String {
        String(Data(bytes).base64EncodedString().compactMap { character -> Character? in
            switch character {
            case "+": "-"
            case "/": "_"
            case "=": nil
            default: character
            }
        })
    }
}
