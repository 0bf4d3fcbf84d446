import MemoryCore
import Testing

@Suite struct TimeExpressionTests {
    func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    func resolve(_ text: String, _ reference: String) -> (start: String, end: String, phrase: String)? {
        TimeExpression.resolve(text, reference: at(reference)).map {
            (String($0.window.start.iso8601.prefix(19)), String($0.window.end.iso8601.prefix(19)), $0.phrase)
        }
    }

    @Test func daysAgoStartsBeforeTheEventAndRunsToTheQuestion() throws {
        // Asked 2023-03-25 18:26: ten days ago is the 15th; a day and a half earlier, to a day after.
        let found = try #require(resolve("What kitchen appliance did I buy 10 days ago?", "2023-03-25T18:26:00Z"))
        #expect(found.start == "2023-03-14T06:26:00" && found.end == "2023-03-26T18:26:00" && found.phrase == "10 days ago")
        let words = try #require(resolve("we moved it a couple of weeks ago", "2023-03-25T00:00:00Z"))
        #expect(words.start == "2023-03-07T00:00:00" && words.phrase == "a couple of weeks ago")
        #expect(resolve("three months ago we chose Postgres", "2023-06-30T00:00:00Z")?.start == "2023-03-14T16:19:12")
    }

    @Test func calendarDaysAreUTCDays() throws {
        #expect(resolve("what did I fix yesterday", "2023-05-02T08:12:00Z")?.start == "2023-05-01T00:00:00")
        #expect(resolve("the deploy this morning", "2023-05-02T08:12:00Z")?.start == "2023-05-02T00:00:00")
        // 2023-04-18 is a Tuesday: "last Tuesday" is the 11th (a week back, not today).
        let tuesday = try #require(resolve("Who did I meet with during the lunch last Tuesday?", "2023-04-18T15:00:00Z"))
        #expect(tuesday.start == "2023-04-10T00:00:00" && tuesday.end == "2023-04-19T15:00:00" && tuesday.phrase == "last tuesday")
        #expect(resolve("the call on Monday", "2023-04-18T15:00:00Z")?.start == "2023-04-16T00:00:00")
        // Thursday 2023-04-20: this week began on Monday the 17th.
        #expect(resolve("what changed this week", "2023-04-20T09:00:00Z")?.start == "2023-04-17T00:00:00")
        #expect(resolve("this month", "2023-05-30T10:00:00Z")?.start == "2023-05-01T00:00:00")
        #expect(resolve("this year", "2023-05-30T10:00:00Z")?.start == "2023-01-01T00:00:00")
    }

    @Test func rollingSpansCountBackFromTheQuestion() {
        #expect(resolve("How many plants did I acquire in the last month?", "2023-05-30T00:00:00Z")?.start == "2023-04-28T13:26:24")
        #expect(resolve("in the past two weeks", "2023-05-30T00:00:00Z")?.start == "2023-05-15T00:00:00")
        #expect(resolve("over the previous 3 days", "2023-05-30T00:00:00Z")?.phrase == "previous 3 days")
    }

    @Test func aNamedMonthIsTheLatestOneNotAfterTheQuestion() throws {
        let march = try #require(resolve("How many doctor's appointments did I go to in March?", "2023-03-27T23:35:00Z"))
        #expect(march.start == "2023-03-01T00:00:00" && march.end == "2023-04-01T00:00:00")
        // Asked in February, March is last year's.
        #expect(resolve("in March", "2023-02-10T00:00:00Z")?.start == "2022-03-01T00:00:00")
        let december = try #require(resolve("during December 2021", "2023-02-10T00:00:00Z"))
        #expect(december.start == "2021-12-01T00:00:00" && december.end == "2022-01-01T00:00:00")
        #expect(resolve("since January", "2023-02-10T12:00:00Z")?.end == "2023-02-11T12:00:00")
    }

    @Test func textWithoutATimeNamesNone() {
        #expect(resolve("What is the capital of France?", "2023-02-10T00:00:00Z") == nil)
        #expect(resolve("may I ask about the last of them", "2023-02-10T00:00:00Z") == nil)
        #expect(resolve("two days", "2023-02-10T00:00:00Z") == nil)
        #expect(resolve("", "2023-02-10T00:00:00Z") == nil)
    }

    @Test func windowsAreHalfOpen() {
        let window = TimeWindow(start: at("2023-03-01T00:00:00Z"), end: at("2023-04-01T00:00:00Z"))
        #expect(window.contains(at("2023-03-01T00:00:00Z")) && window.contains(at("2023-03-31T23:59:59Z")))
        #expect(!window.contains(at("2023-04-01T00:00:00Z")) && !window.contains(at("2023-02-28T23:59:59Z")))
    }
}
