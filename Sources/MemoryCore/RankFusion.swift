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

    /// Fused scores of every item in either list, best first (ties by first appearance); an item
    /// counts at its first rank in each list, as ``score(lexicalRank:semanticRank:)`` scores it.
    package func fuse<ID: Hashable>(lexical: [ID], semantic: [ID]) -> [(id: ID, score: Double)] {
        var ranks: [ID: (lexical: Int?, semantic: Int?)] = [:]
        var order: [ID] = []
        for (index, id) in lexical.enumerated() where ranks[id] == nil {
            ranks[id] = (index + 1, nil)
            order.append(id)
        }
        for (index, id) in semantic.enumerated() where ranks[id]?.semantic == nil {
            if ranks[id] == nil { order.append(id) }
            ranks[id, default: (nil, nil)].semantic = index + 1
        }
        let fused = order.enumerated().map { position, id in
            let rank = ranks[id]!
            return (position: position, id: id, score: score(lexicalRank: rank.lexical, semanticRank: rank.semantic))
        }
        return fused.sorted { $0.score != $1.score ? $0.score > $1.score : $0.position < $1.position }.map { ($0.id, $0.score) }
    }
}
