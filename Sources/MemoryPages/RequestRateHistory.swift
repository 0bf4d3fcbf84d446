import Synchronization
import Foundation

/// Request counts read from the `/metrics` text (Hummingbird's `hb_requests` counter, by status)
/// and the embedding queue's length, every 10 s (``RequestRateSampler``) and at each look at the
/// status page, the last 60 kept so the page can draw the rate between them and the queue.
final class RequestRateHistory: Sendable {
    /// The counters at one moment.
    struct Sample: Sendable {
        var time: Double
        var requests: Double
        var errors: Double
        /// Memories waiting for a vector (0 when not counted).
        var backlog: Double = 0
    }

    /// Requests per second between two samples, and the queue at the second.
    struct Rate: Sendable {
        var time: Double
        var requests: Double
        var errors: Double
        var backlog: Double
    }

    private let samples = Mutex<[Sample]>([])
    private let capacity: Int
    private let started = Date().timeIntervalSince1970

    init(capacity: Int = 60) {
        self.capacity = capacity
    }

    /// Reads the counters from `metricsText`, keeps them with `backlog` (at most one sample a
    /// second), and returns the rates between the kept samples, oldest first, and the totals now.
    func record(metricsText: String, backlog: Int?, now: Double = Date().timeIntervalSince1970) -> (rates: [Rate], total: Sample) {
        var current = Self.totals(in: metricsText, at: now)
        current.backlog = Double(backlog ?? 0)
        return samples.withLock { samples in
            if let last = samples.last, now - last.time < 1 {
                samples[samples.count - 1] = current
            } else {
                samples.append(current)
                if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
            }
            var rates: [Rate] = []
            var previous = Sample(time: started, requests: 0, errors: 0)
            for sample in samples {
                let seconds = max(0.001, sample.time - previous.time)
                rates.append(Rate(
                    time: sample.time, requests: max(0, sample.requests - previous.requests) / seconds,
                    errors: max(0, sample.errors - previous.errors) / seconds, backlog: sample.backlog))
                previous = sample
            }
            return (rates, current)
        }
    }

    /// The sum of every `hb_requests` series, and of those with a 5xx status.
    static func totals(in text: String, at time: Double) -> Sample {
        var sample = Sample(time: time, requests: 0, errors: 0)
        for line in text.split(separator: "\n") where line.hasPrefix("hb_requests") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            guard name == "hb_requests" || name == "hb_requests_total",
                  let valueText = line.split(separator: " ").last, let value = Double(valueText)
            else { continue }
            sample.requests += value
            if line.contains("status_code=\"5") { sample.errors += value }
        }
        return sample
    }
}
