import Foundation
import MemoryCore
import Testing

@Suite struct TimestampTests {
    @Test func formatsWithSixFractionalDigitsInUTC() {
        let timestamp = Timestamp(microsecondsSinceEpoch: 1_683_554_160_123_456)
        #expect(timestamp.iso8601 == "2023-05-08T13:56:00.123456Z")
        #expect(Timestamp(microsecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(microsecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
    }

    @Test(arguments: [
        ("2023-05-08T13:56:00Z", Int64(1_683_554_160_000_000)),
        ("2023-05-08T13:56:00.5Z", 1_683_554_160_500_000),
        ("2023-05-08T13:56:00.1234567Z", 1_683_554_160_123_456),
        ("2023-05-08T15:56:00+02:00", 1_683_554_160_000_000),
        ("2023-05-08T08:56:00-0500", 1_683_554_160_000_000),
        ("2023-05-08 13:56:00", 1_683_554_160_000_000),
        ("2023-05-08T13:56", 1_683_554_160_000_000),
        ("2024-02-29", 1_709_164_800_000_000),
    ])
    func parsesISO8601Variants(text: String, micros: Int64) {
        #expect(Timestamp(iso8601: text)?.microsecondsSinceEpoch == micros)
    }

    @Test(arguments: ["", "yesterday", "2023-13-01T00:00:00Z", "2023-02-30", "2023-05-08T25:00:00Z", "2023-05-08T13:56:00.Z", "2023-05-08T13:56:00Zjunk"])
    func rejectsInvalidText(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func roundTripsThroughTextExactly() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let micros = Int64.random(in: -2_000_000_000_000_000...4_000_000_000_000_000, using: &generator)
            let timestamp = Timestamp(microsecondsSinceEpoch: micros)
            #expect(Timestamp(iso8601: timestamp.iso8601) == timestamp)
        }
    }

    @Test func convertsFromDateTruncatingToMicroseconds() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123_456_7)
        #expect(Timestamp(date).microsecondsSinceEpoch == 1_700_000_000_123_456)
    }
}
