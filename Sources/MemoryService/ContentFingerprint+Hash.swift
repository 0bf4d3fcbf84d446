import Crypto
package import MemoryCore

extension ContentFingerprint {
    /// The hex SHA-256 of the normalised content: what stores index to find an identical memory.
    package static func hash(_ content: String) -> String {
        let digest = SHA256.hash(data: Array(normalized(content).utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
