import Hummingbird
import MemoryCore
import MemoryService
import Foundation

extension PageSite {
    struct StatusView {
        var chrome: Chrome
        var storeOK: Bool
        var storeProblem: String?
        var cacheBackend: String
        var embedder: String?
        var embedderProblem: String?
        var backlog: String
        var cleanup: String?
        var caches: [CacheRow]
        var showCounters: Bool
        var requestsTotal: String
        var errorsTotal: String
        var chart: Chart?
    }

    struct CacheRow {
        var name: String
        var backend: String
        var hits: Int
        var misses: Int
        var errors: Int
        var ratio: String
        /// 0...100.
        var percent: Int
    }

    /// A small line chart: SVG points in a 300×80 box, drawn from numbers only.
    struct Chart {
        var points: String
        var errorPoints: String
        var peak: String
        var latest: String
        var span: String
        var backlogPoints: String
        var backlogPeak: String
    }

    /// `/status`: the store, the cache, the embedder, the embedding queue, and (for admins) the
    /// request rates from the same counters as `/metrics`.
    func status(_ visitor: PageVisitor) async -> Response {
        let readiness = await services.readiness()
        var view = StatusView(
            chrome: Chrome(title: "Status", visitor: visitor, current: "/status"), storeOK: readiness.isReady,
            storeProblem: readiness.storeProblem, cacheBackend: readiness.cacheBackend,
            embedder: readiness.embedder.map { "\($0.model) (\($0.dimension) dimensions)" }, embedderProblem: readiness.embedderProblem,
            backlog: readiness.embeddingBacklog.map { "\($0) waiting for a vector" } ?? (readiness.embedder == nil ? "no embedder" : "not counted yet"),
            cleanup: readiness.cleanup.map { "\($0.status)" + ($0.lastCleanup.map { ", last run " + PageFormat.time($0) } ?? "") },
            caches: services.cacheStatistics.map {
                CacheRow(
                    name: $0.name, backend: $0.backend, hits: $0.hits, misses: $0.misses, errors: $0.errors, ratio: PageFormat.number($0.hitRatio),
                    percent: PageFormat.percent($0.hitRatio))
            },
            showCounters: false, requestsTotal: "", errorsTotal: "")
        if visitor.isAdmin, let metricsText = configuration.metricsText {
            let (rates, total) = rates.record(metricsText: metricsText(), backlog: readiness.embeddingBacklog)
            view.showCounters = true
            view.requestsTotal = String(Int(total.requests))
            view.errorsTotal = String(Int(total.errors))
            view.chart = Self.chart(rates)
        }
        return renderer.page("status", view)
    }

    /// The rates as polylines scaled to the busiest moment.
    static func chart(_ rates: [RequestRateHistory.Rate]) -> Chart? {
        guard let first = rates.first, let last = rates.last else { return nil }
        let peak = max(0.001, rates.map(\.requests).max() ?? 0)
        let backlogPeak = max(1, rates.map(\.backlog).max() ?? 0)
        let span = max(1, last.time - first.time)
        func points(_ value: (RequestRateHistory.Rate) -> Double, scale: Double = peak) -> String {
            rates.map { rate in
                let x = rates.count == 1 ? 300 : (rate.time - first.time) / span * 300
                let y = 78 - value(rate) / scale * 74
                return PageFormat.number(x) + "," + PageFormat.number(y)
            }.joined(separator: " ")
        }
        return Chart(
            points: points(\.requests), errorPoints: points(\.errors), peak: PageFormat.number(peak), latest: PageFormat.number(last.requests),
            span: duration(seconds: span), backlogPoints: points(\.backlog, scale: backlogPeak), backlogPeak: String(Int(backlogPeak)))
    }
}
