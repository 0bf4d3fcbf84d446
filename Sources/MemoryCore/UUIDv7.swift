#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension UUID {
    /// A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids made
    /// later sort later and index inserts stay local.
    package static func v7(at timestamp: Timestamp = .now()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, timestamp.microsecondsSinceEpoch / 1000))
        let randomA = generator.next() as UInt64
        let randomB = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        for index in 6..<16 {
            let source = index < 14 ? randomA : randomB
            bytes[index] = UInt8(truncatingIfNeeded: source >> (8 * (index % 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The lower-case text form used in the API, the stores and the caches.
    package var lowercased: String { uuidString.lowercased() }
}
