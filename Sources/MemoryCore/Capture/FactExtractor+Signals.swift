/// The words and time expressions that adjust a fact's confidence and certainty and give its
/// `temporal_info` (KnowledgeHub's `certainty_indicators` and `temporal_patterns`), all matched
/// as whole words, any case, over a range of `FactText` tokens.
enum FactSignals {
    static let sureWords: Set<String> = ["definitely", "certainly", "absolutely", "confirmed", "verified", "established"]
    static let hedgeWords: Set<String> = ["probably", "likely", "seems", "appears", "suggests"]
    static let doubtWords: Set<String> = ["maybe", "perhaps", "possibly", "might", "could", "uncertain"]

    /// Whether a word of `words` is among `tokens`.
    static func contains(_ words: Set<String>, in tokens: Range<Int>, of text: FactText) -> Bool {
        tokens.contains { words.contains(text.tokens[$0].text) }
    }

    /// +0.1 with a sure word, else -0.1 with a doubt word, else 0.
    static func confidenceAdjustment(_ tokens: Range<Int>, of text: FactText) -> Double {
        if contains(sureWords, in: tokens, of: text) { return 0.1 }
        if contains(doubtWords, in: tokens, of: text) { return -0.1 }
        return 0
    }

    /// 0.9 with a sure word, else 0.6 with a hedge, else 0.3 with a doubt word, else 0.7.
    static func certainty(_ tokens: Range<Int>, of text: FactText) -> Double {
        if contains(sureWords, in: tokens, of: text) { return 0.9 }
        if contains(hedgeWords, in: tokens, of: text) { return 0.6 }
        if contains(doubtWords, in: tokens, of: text) { return 0.3 }
        return 0.7
    }

    // MARK: Temporal information

    private static let relativeDays: Set<String> = ["yesterday", "today", "tomorrow"]
    private static let durationPrepositions: Set<String> = ["in", "after", "before", "during", "by"]
    private static let durationUnits: Set<String> = [
        "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
    ]
    private static let clockPrepositions: Set<String> = ["at", "on", "in"]
    private static let months: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ]
    /// Month names that are also common words: dates only before a day number.
    private static let ambiguousMonths: Set<String> = ["may", "march"]

    /// The first time expression among `tokens`, as written: earliest in the text, and at one
    /// start the first kind of: yesterday/today/tomorrow or next/last week/month; a preposition
    /// (in, after, before, during, by), an optional number and a unit (minutes … years); at/on/in
    /// and an hour, optional `:mm` and AM/PM; a month name ("may" and "march" only before a day
    /// number); a numeric date d/m/y or d-m-y.
    static func temporalInfo(_ tokens: Range<Int>, of text: FactText) -> String? {
        for index in tokens {
            if let end = temporalEnd(at: index, limit: tokens.upperBound, of: text) {
                return text.string(text.tokens[index].start..<text.tokens[end - 1].end)
            }
        }
        return nil
    }

    private static func temporalEnd(at index: Int, limit: Int, of text: FactText) -> Int? {
        let tokens = text.tokens
        func word(_ offset: Int) -> String? { index + offset < limit ? tokens[index + offset].text : nil }
        /// Whether token `index + offset` touches the one before it.
        func touching(_ offset: Int) -> Bool { tokens[index + offset].start == tokens[index + offset - 1].end }
        let first = tokens[index].text

        if relativeDays.contains(first) { return index + 1 }
        if first == "next" || first == "last", let unit = word(1), unit == "week" || unit == "month" { return index + 2 }

        if durationPrepositions.contains(first) {
            var offset = 1
            if let number = word(offset), isNumber(number, digits: 1...9) { offset += 1 }
            if let unit = word(offset), durationUnits.contains(unit) { return index + offset + 1 }
        }

        if clockPrepositions.contains(first), let hour = word(1), let hourMeridiem = clockPart(hour, digits: 1...2) {
            var offset = 2
            var hasMeridiem = hourMeridiem
            if !hasMeridiem, word(offset) == ":", touching(offset), let minutes = word(offset + 1), touching(offset + 1),
                let minutesMeridiem = clockPart(minutes, digits: 2...2)
            {
                offset += 2
                hasMeridiem = minutesMeridiem
            }
            if !hasMeridiem, let meridiem = word(offset), meridiem == "am" || meridiem == "pm" { offset += 1 }
            return index + offset
        }

        if months.contains(first) {
            if !ambiguousMonths.contains(first) { return index + 1 }
            if let day = word(1), isDayNumber(day) { return index + 1 }
        }

        if isNumber(first, digits: 1...2), let separator = word(1), separator == "/" || separator == "-", touching(1),
            let month = word(2), touching(2), isNumber(month, digits: 1...2), let secondSeparator = word(3),
            secondSeparator == "/" || secondSeparator == "-", touching(3), let year = word(4), touching(4),
            isNumber(year, digits: 2...4)
        {
            return index + 5
        }
        return nil
    }

    private static func isNumber(_ word: String, digits: ClosedRange<Int>) -> Bool {
        let scalars = word.unicodeScalars
        return digits.contains(scalars.count) && scalars.allSatisfy { $0.value >= 0x30 && $0.value <= 0x39 }
    }

    /// For an hour or minutes token (`3`, `10`, `3pm`, `30am`): whether it carries AM/PM; nil
    /// when it is not one.
    private static func clockPart(_ word: String, digits: ClosedRange<Int>) -> Bool? {
        if isNumber(word, digits: digits) { return false }
        for meridiem in ["am", "pm"] where word.hasSuffix(meridiem) {
            if isNumber(String(word.dropLast(2)), digits: digits) { return true }
        }
        return nil
    }

    /// 1 to 31, possibly with st/nd/rd/th.
    private static func isDayNumber(_ word: String) -> Bool {
        var digits = word
        for suffix in ["st", "nd", "rd", "th"] where word.hasSuffix(suffix) { digits = String(word.dropLast(2)) }
        guard isNumber(digits, digits: 1...2), let day = Int(digits) else { return false }
        return (1...31).contains(day)
    }
}
