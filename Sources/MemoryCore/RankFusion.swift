/// Reciprocal rank fusion: each ranked list adds `weight / (k + rank)` to the items it ranks
/// (rank 1 is the best). Robust to scores on unrelated scales, which lexical and cosine scores are.
package struct RankFusion: Sendable, Hashable {
    /// Damping: larger values flatten the difference between the first ranks.
    package var k: Double
    package var lexicalWeight: Double
    package var semanticWeight: Double

    package init(k: Double = 60, lexicalWeight: Double = 1, semanticWeight: Double = 1) {
        self.k = k
        self.lexicalWeight = lexicalWeight
        self.semanticWeight = semanticWeight
    }

    /// The best fused score an item can reach: first in every list.
    package var maximum: Double { (lexicalWeight + semanticWeight) / (k + 1) }

    /// The fused score of an item at these 1-based ranks (nil: not in that list).
    @inline(__always)
    package func score(lexicalRank: Int?, semanticRank: Int?) -> Double {
        var score = 0.0
        if let lexicalRank { score += lexicalWeight / (k + Double(lexicalRank)) }
        if let semanticRank { score += semanticWeight / (k + Double(semanticRank)) }
        return score
    }

    /// Fused scores of every item in either list, best first (ties by first appearance).
    package func fuse<ID: Hashable>(lexical: [ID], semantic: [ID]) -> [(id: ID, score: Double)] {
        var scores: [ID: Double] = [:]
        var order: [ID] = []
        for (list, weight) in [(lexical, lexicalWeight), (semantic, semanticWeight)] {
            for (index, id) in list.enumerated() {
                if scores[id] == nil { order.append(id) }
                scores[id, default: 0] += weight / (k + Double(index + 1))
            }
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.map { ($0, scores[$0]!) }.sorted {
            $0.score != $1.score ? $0.score > $1.score : position[$0.id]! < position[$1.id]!
        }
    }
}
