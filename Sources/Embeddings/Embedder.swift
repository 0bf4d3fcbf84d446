/// Turns texts into L2-normalized vectors. Safe to call concurrently.
package protocol Embedder: Sendable {
    /// The length of every vector ``embed(_:)`` returns (384 for all-MiniLM-L6-v2).
    var dimension: Int { get }
    /// The model the vectors come from, e.g. "all-MiniLM-L6-v2": vectors of different models
    /// must not be compared.
    var modelName: String { get }
    /// One unit-length vector per text, in the order of `texts`.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

extension Array where Element == Float {
    /// Scales the vector to unit Euclidean length; a zero vector stays zero.
    mutating func normalizeToUnitLength() {
        var sumOfSquares: Double = 0
        for value in self { sumOfSquares += Double(value) * Double(value) }
        guard sumOfSquares > 0, sumOfSquares.isFinite else { return }
        let scale = Float(1 / sumOfSquares.squareRoot())
        for index in indices { self[index] *= scale }
    }
}
