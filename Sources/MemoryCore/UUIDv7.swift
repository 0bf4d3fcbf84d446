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

    /// The lower-case text form used in the API, the stores and the caches (8-4-4-4-12 hex
    /// digits), written byte by byte: the stores form and read ids on every row, and Foundation's
    /// formatter and scanner showed in write-path profiles.
    package var lowercased: String {
        let digits = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = digits[Int(byte >> 4)]
                    text[at + 1] = digits[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

    /// The UUID written as 8-4-4-4-12 hex digits (either case, as ``lowercased`` writes it); nil
    /// for any other text. Reads the bytes directly instead of through Foundation's scanner.
    package init?(hexText text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parsedHex($0) }) else { return nil }
        self.init(uuid: parsed)
    }

    /// ``init(hexText:)`` from UTF-8 bytes (a database's text as it stands, with no `String` made).
    package init?(hexUTF8 utf8: UnsafeBufferPointer<UInt8>) {
        guard let parsed = Self.parsedHex(utf8) else { return nil }
        self.init(uuid: parsed)
    }

    private static func parsedHex(_ utf8: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard utf8.count == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &value) { bytes -> Bool in
            var at = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard utf8[at] == UInt8(ascii: "-") else { return false }
                    at += 1
                }
                guard let high = hexValue(utf8[at]), let low = hexValue(utf8[at + 1]) else { return false }
                bytes[index] = high << 4 | low
                at += 2
            }
            return true
        }
        return valid ? value : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
