/// A half-open span of time, `start ..< end`.
package struct TimeWindow: Sendable, Hashable {
    package var start: Timestamp
    package var end: Timestamp

    package init(start: Timestamp, end: Timestamp) {
        self.start = start
        self.end = end
    }

    package func contains(_ instant: Timestamp) -> Bool { start <= instant && instant < end }
}

/// Relative time expressions of English text ("5 days ago", "yesterday", "last Tuesday", "in the
/// past two weeks", "this month", "in March"), resolved against the moment the text was asked,
/// in UTC calendar days.
///
/// A window is where the *memory* of the event is to be found, not the event itself: people
/// mention a thing when it happens or later, so every window starts a little before the event
/// (by a slack that grows with the unit: 1.5 days for days, 4 for weeks, 16 for months, half a
/// year for years) and runs to the reference time plus a day (clock skew). A named month is that
/// calendar month of the latest year not after the reference ("in March" asked in February means
/// last year's March). Only the first expression of the text counts.
package enum TimeExpression {
    /// A window and the words that named it.
    package struct Resolution: Sendable, Hashable {
        package var window: TimeWindow
        package var phrase: String
    }

    /// The window the first relative time expression of `text` names, or nil when it names none.
    package static func resolve(_ text: String, reference: Timestamp) -> Resolution? {
        let words = SearchText.words(text)
        for start in words.indices {
            if let (window, length) = match(words, at: start, reference: reference) {
                return Resolution(window: window, phrase: words[start..<start + length].joined(separator: " "))
            }
        }
        return nil
    }

    // MARK: Rules

    static let day: Int64 = 86_400_000_000
    static let units: [String: Double] = [
        "day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14, "month": 30.44, "months": 30.44, "year": 365.25, "years": 365.25,
    ]
    static let counts: [String: Int] = [
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "couple": 2, "few": 3, "several": 3,
    ]
    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    ]

    /// The window of an expression starting at `words[start]`, and how many words it took.
    private static func match(_ words: [String], at start: Int, reference: Timestamp) -> (TimeWindow, Int)? {
        func word(_ offset: Int) -> String? { start + offset < words.count ? words[start + offset] : nil }
        let midnight = Timestamp(microsecondsSinceEpoch: floorDiv(reference.microsecondsSinceEpoch, day) * day)
        let untilNow = reference.microsecondsSinceEpoch + day
        func since(_ instant: Int64) -> TimeWindow {
            TimeWindow(start: Timestamp(microsecondsSinceEpoch: instant), end: Timestamp(microsecondsSinceEpoch: untilNow))
        }
        guard let first = word(0) else { return nil }

        // "5 days ago", "a couple of weeks ago"
        if let (count, used) = count(words, at: start), let unitWord = word(used), let unit = units[unitWord], word(used + 1) == "ago" {
            let slack: Double = unit < 7 ? 1.5 : unit < 30 ? 4 : unit < 365 ? 16 : 183
            return (since(reference.microsecondsSinceEpoch - days(Double(count) * unit + slack)), used + 2)
        }
        switch first {
        case "yesterday":
            return (since(midnight.microsecondsSinceEpoch - day), 1)
        case "today", "tonight":
            return (since(midnight.microsecondsSinceEpoch), 1)
        case "this":
            guard let next = word(1) else { return nil }
            if ["morning", "afternoon", "evening"].contains(next) { return (since(midnight.microsecondsSinceEpoch), 2) }
            let (year, month, _) = Timestamp.civilDate(fromDays: floorDiv(reference.microsecondsSinceEpoch, day))
            switch next {
            case "week":
                let weekday = Int64(weekday(of: midnight))
                return (since(midnight.microsecondsSinceEpoch - weekday * day), 2)
            case "month": return (since(Timestamp.days(fromCivilYear: year, month: month, day: 1) * day), 2)
            case "year": return (since(Timestamp.days(fromCivilYear: year, month: 1, day: 1) * day), 2)
            case "past":
                if let weekday = word(2).flatMap({ weekdays.firstIndex(of: $0) }) { return (lastWeekday(weekday, midnight: midnight, since: since), 3) }
                return nil
            default: return nil
            }
        case "last", "past", "previous":
            if let weekday = word(1).flatMap({ weekdays.firstIndex(of: $0) }), first == "last" {
                return (lastWeekday(weekday, midnight: midnight, since: since), 2)
            }
            // "last week", "the past two months", "previous 3 days", "last couple of weeks"
            var used = 1
            var count = 1
            if let (n, taken) = self.count(words, at: start + 1) {
                count = n
                used += taken
            }
            guard let unitWord = word(used), let unit = units[unitWord] else { return nil }
            return (since(reference.microsecondsSinceEpoch - days(Double(count) * unit + 1)), used + 1)
        case "on":
            guard let weekday = word(1).flatMap({ weekdays.firstIndex(of: $0) }) else { return nil }
            return (lastWeekday(weekday, midnight: midnight, since: since), 2)
        case "in", "during", "since":
            guard let month = word(1).flatMap({ months.firstIndex(of: $0) }).map({ Int64($0 + 1) }) else { return nil }
            let (referenceYear, referenceMonth, _) = Timestamp.civilDate(fromDays: floorDiv(reference.microsecondsSinceEpoch, day))
            var year = month <= referenceMonth ? referenceYear : referenceYear - 1
            var used = 2
            if let named = word(2), named.count == 4, let value = Int64(named), (1900...2200).contains(value) {
                year = value
                used = 3
            }
            let begins = Timestamp.days(fromCivilYear: year, month: month, day: 1) * day
            if first == "since" { return (since(begins), used) }
            let ends = Timestamp.days(fromCivilYear: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1) * day
            return (TimeWindow(start: Timestamp(microsecondsSinceEpoch: begins), end: Timestamp(microsecondsSinceEpoch: ends)), used)
        default:
            return nil
        }
    }

    /// A count ("3", "three", "a", "a couple of", "few") at `start`, and the words it took.
    private static func count(_ words: [String], at start: Int) -> (Int, Int)? {
        guard start < words.count else { return nil }
        let text = words[start]
        var value: Int?
        if let number = Int(text), (1...1000).contains(number) { value = number } else { value = counts[text] }
        guard var count = value else { return nil }
        var used = 1
        // "a couple of", "a few"
        if (text == "a" || text == "an"), start + 1 < words.count, let next = counts[words[start + 1]], next > 1 {
            count = next
            used = 2
        }
        if start + used < words.count, words[start + used] == "of" { used += 1 }
        return (count, used)
    }

    /// The window of "last Tuesday": the latest such day before the reference's own day.
    private static func lastWeekday(_ weekday: Int, midnight: Timestamp, since: (Int64) -> TimeWindow) -> TimeWindow {
        var back = (self.weekday(of: midnight) - weekday + 7) % 7
        if back == 0 { back = 7 }
        return since(midnight.microsecondsSinceEpoch - Int64(back + 1) * day)
    }

    /// 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
    private static func weekday(of instant: Timestamp) -> Int {
        Int((floorDiv(instant.microsecondsSinceEpoch, day) + 3) % 7 + 7) % 7
    }

    private static func days(_ count: Double) -> Int64 { Int64((count * Double(day)).rounded()) }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return a % b < 0 ? quotient - 1 : quotient
    }
}
