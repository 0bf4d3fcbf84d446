/// Turns texts into L2-normalized vectors. Safe to call concurrently.
public protocol Embedder: Sendable {
    /// The vector length (384 for MiniLM).
    var dimension: Int { get }
    /// A name that identifies the model, e.g. "all-MiniLM-L6-v2".
    var modelName: String { get }
    /// One unit-length vector per text, in the same order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}
