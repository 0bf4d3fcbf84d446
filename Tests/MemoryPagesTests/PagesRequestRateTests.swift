@testable import MemoryPages
import Foundation
import Testing

/// The status page's request rates, read from the Prometheus text of `/metrics`.
@Suite struct PagesRequestRateTests {
    static let metrics = """
        # TYPE hb_requests counter
        hb_requests{http_route="/sessions",http_request_method="GET",http_response_status_code="200"} 40
        hb_requests{http_route="/api/memory/memories/{id}",http_request_method="GET",http_response_status_code="404"} 7
        hb_requests{http_route="/api/memory/memories/",http_request_method="POST",http_response_status_code="503"} 3
        # TYPE hb_request_errors counter
        hb_request_errors{http_route="/x",http_request_method="GET",http_response_status_code="500"} 9
        """

    @Test func countsEveryRequestAndOnlyFiveHundredsAsErrors() {
        let sample = RequestRateHistory.totals(in: Self.metrics, at: 0)
        #expect(sample.requests == 50)
        #expect(sample.errors == 3)
    }

    @Test func ratesAreTheDifferencesBetweenSamplesPerSecondWithTheQueueAtEach() {
        let history = RequestRateHistory()
        _ = history.record(metricsText: "hb_requests{a=\"1\"} 10", backlog: 5, now: Date.now.timeIntervalSince1970 + 10)
        let (rates, total) = history.record(metricsText: "hb_requests{a=\"1\"} 30", backlog: nil, now: Date.now.timeIntervalSince1970 + 20)
        #expect(total.requests == 30)
        #expect(rates.count == 2)
        #expect(abs(rates[1].requests - 2) < 0.01)
        #expect(rates.map(\.backlog) == [5, 0])
    }
}
