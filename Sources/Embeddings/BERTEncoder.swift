import Foundation

/// A read-only float tensor in memory of its own, so the hot loops work on raw pointers.
/// Immutable after `init`, hence safe to share between threads.
final class FloatTensor: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    var readOnly: UnsafePointer<Float> { UnsafePointer(pointer) }
}

/// The settings of a BERT checkpoint that the encoder reads from config.json.
struct BERTConfiguration: Decodable, Sendable {
    var hiddenSize: Int
    var numHiddenLayers: Int
    var numAttentionHeads: Int
    var intermediateSize: Int
    var layerNormEps: Double
    var maxPositionEmbeddings: Int
    var vocabSize: Int
    var typeVocabSize: Int?
    var hiddenAct: String?
    var positionEmbeddingType: String?

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case layerNormEps = "layer_norm_eps"
        case maxPositionEmbeddings = "max_position_embeddings"
        case vocabSize = "vocab_size"
        case typeVocabSize = "type_vocab_size"
        case hiddenAct = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
    }
}

/// A BERT encoder with mean pooling, on BLAS: turns token-id sequences into unit vectors.
///
/// Sequences of a batch are packed end to end rather than padded: the dense layers work row by
/// row, so packing gives them exactly the rows of real tokens, and attention runs per sequence
/// over its own tokens only, which is what an attention mask over padding computes, minus the
/// wasted work. All scratch memory belongs to one call, so calls may run concurrently.
struct BERTEncoder: Sendable {
    struct Layer: Sendable {
        /// Query, key and value projections stacked: [3·hidden × hidden], one matrix product.
        var attentionInput: FloatTensor
        var attentionInputBias: FloatTensor
        var attentionOutput: FloatTensor
        var attentionOutputBias: FloatTensor
        var attentionNormWeight: FloatTensor
        var attentionNormBias: FloatTensor
        var intermediate: FloatTensor
        var intermediateBias: FloatTensor
        var output: FloatTensor
        var outputBias: FloatTensor
        var outputNormWeight: FloatTensor
        var outputNormBias: FloatTensor
    }

    let hidden: Int
    let heads: Int
    let headSize: Int
    let intermediateSize: Int
    let maxPositions: Int
    let vocabularySize: Int
    let epsilon: Float
    let wordEmbeddings: FloatTensor
    let positionEmbeddings: FloatTensor
    let tokenTypeEmbedding: FloatTensor
    let embeddingNormWeight: FloatTensor
    let embeddingNormBias: FloatTensor
    let layers: [Layer]

    init(configuration config: BERTConfiguration, weights: SafeTensors) throws {
        if let activation = config.hiddenAct, activation != "gelu" {
            throw EmbeddingError(.unsupportedModel, "the model's activation is not GELU", detail: activation)
        }
        if let positions = config.positionEmbeddingType, positions != "absolute" {
            throw EmbeddingError(.unsupportedModel, "the model's position embeddings are not absolute", detail: positions)
        }
        guard config.hiddenSize > 0, config.numAttentionHeads > 0, config.hiddenSize % config.numAttentionHeads == 0,
            config.numHiddenLayers > 0, config.intermediateSize > 0, config.maxPositionEmbeddings > 2,
            config.vocabSize > 0
        else {
            throw EmbeddingError.modelCorrupt("config.json has impossible sizes", path: weights.path)
        }
        let h = config.hiddenSize
        let i = config.intermediateSize
        hidden = h
        heads = config.numAttentionHeads
        headSize = h / config.numAttentionHeads
        intermediateSize = i
        maxPositions = config.maxPositionEmbeddings
        vocabularySize = config.vocabSize
        epsilon = Float(config.layerNormEps)

        func tensor(_ name: String, _ shape: [Int]) throws -> FloatTensor {
            FloatTensor(try weights.floats(name, shape: shape))
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [config.vocabSize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h])
        // Single-sentence inputs are all token type 0: keep that row only.
        let typeRows = config.typeVocabSize ?? 2
        tokenTypeEmbedding = FloatTensor(
            Array(try weights.floats("embeddings.token_type_embeddings.weight", shape: [typeRows, h]).prefix(h)))
        embeddingNormWeight = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try tensor("embeddings.LayerNorm.bias", [h])
        layers = try (0..<config.numHiddenLayers).map { index in
            let prefix = "encoder.layer.\(index)."
            func part(_ name: String, _ shape: [Int]) throws -> [Float] { try weights.floats(prefix + name, shape: shape) }
            return Layer(
                attentionInput: FloatTensor(
                    try part("attention.self.query.weight", [h, h]) + part("attention.self.key.weight", [h, h])
                        + part("attention.self.value.weight", [h, h])),
                attentionInputBias: FloatTensor(
                    try part("attention.self.query.bias", [h]) + part("attention.self.key.bias", [h])
                        + part("attention.self.value.bias", [h])),
                attentionOutput: FloatTensor(try part("attention.output.dense.weight", [h, h])),
                attentionOutputBias: FloatTensor(try part("attention.output.dense.bias", [h])),
                attentionNormWeight: FloatTensor(try part("attention.output.LayerNorm.weight", [h])),
                attentionNormBias: FloatTensor(try part("attention.output.LayerNorm.bias", [h])),
                intermediate: FloatTensor(try part("intermediate.dense.weight", [i, h])),
                intermediateBias: FloatTensor(try part("intermediate.dense.bias", [i])),
                output: FloatTensor(try part("output.dense.weight", [h, i])),
                outputBias: FloatTensor(try part("output.dense.bias", [h])),
                outputNormWeight: FloatTensor(try part("output.LayerNorm.weight", [h])),
                outputNormBias: FloatTensor(try part("output.LayerNorm.bias", [h])))
        }
    }

    /// One unit vector per sequence. Every id must be below `vocabularySize` and every sequence
    /// non-empty and at most `maxPositions` long.
    func embed(_ sequences: [[Int32]]) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        let h = hidden
        let lengths = sequences.map(\.count)
        let tokens = lengths.reduce(0, +)
        let longest = lengths.max() ?? 0
        var offsets: [Int] = []
        offsets.reserveCapacity(sequences.count)
        var running = 0
        for length in lengths {
            offsets.append(running)
            running += length
        }

        var x = UnsafeMutablePointer<Float>.allocate(capacity: tokens * h)
        var scratch = UnsafeMutablePointer<Float>.allocate(capacity: tokens * h)
        let projected = UnsafeMutablePointer<Float>.allocate(capacity: tokens * 3 * h)
        let context = UnsafeMutablePointer<Float>.allocate(capacity: tokens * h)
        let expanded = UnsafeMutablePointer<Float>.allocate(capacity: tokens * intermediateSize)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
        defer {
            x.deallocate()
            scratch.deallocate()
            projected.deallocate()
            context.deallocate()
            expanded.deallocate()
            scores.deallocate()
        }

        // Embeddings: word + position + token type 0, then LayerNorm.
        for (sequence, ids) in sequences.enumerated() {
            for (position, id) in ids.enumerated() {
                let row = x + (offsets[sequence] + position) * h
                let word = wordEmbeddings.readOnly + Int(id) * h
                let place = positionEmbeddings.readOnly + position * h
                let type = tokenTypeEmbedding.readOnly
                for column in 0..<h { row[column] = word[column] + place[column] + type[column] }
            }
        }
        layerNorm(x, rows: tokens, weight: embeddingNormWeight.readOnly, bias: embeddingNormBias.readOnly)

        let scale = 1 / Float(headSize).squareRoot()
        for layer in layers {
            // Q, K, V for every token in one product: projected[tokens × 3h].
            fillRows(projected, rows: tokens, width: 3 * h, with: layer.attentionInputBias.readOnly)
            BLAS.multiply(
                m: tokens, n: 3 * h, k: h, a: x, lda: h, b: layer.attentionInput.readOnly, ldb: h, transposeB: true,
                beta: 1, c: projected, ldc: 3 * h)

            // Attention within each sequence, head by head.
            for (sequence, length) in lengths.enumerated() {
                let base = projected + offsets[sequence] * 3 * h
                for head in 0..<heads {
                    let query = base + head * headSize
                    let key = query + h
                    let value = query + 2 * h
                    BLAS.multiply(
                        m: length, n: length, k: headSize, alpha: scale, a: query, lda: 3 * h, b: key, ldb: 3 * h,
                        transposeB: true, c: scores, ldc: length)
                    softmaxRows(scores, rows: length, width: length)
                    BLAS.multiply(
                        m: length, n: headSize, k: length, a: scores, lda: length, b: value, ldb: 3 * h,
                        c: context + offsets[sequence] * h + head * headSize, ldc: h)
                }
            }

            // Output projection onto the residual, then LayerNorm.
            addRows(scratch, from: x, rows: tokens, width: h, bias: layer.attentionOutputBias.readOnly)
            BLAS.multiply(
                m: tokens, n: h, k: h, a: context, lda: h, b: layer.attentionOutput.readOnly, ldb: h, transposeB: true,
                beta: 1, c: scratch, ldc: h)
            layerNorm(scratch, rows: tokens, weight: layer.attentionNormWeight.readOnly, bias: layer.attentionNormBias.readOnly)
            swap(&x, &scratch)

            // Feed-forward: GELU(x W1ᵀ + b1) W2ᵀ + b2 onto the residual, then LayerNorm.
            fillRows(expanded, rows: tokens, width: intermediateSize, with: layer.intermediateBias.readOnly)
            BLAS.multiply(
                m: tokens, n: intermediateSize, k: h, a: x, lda: h, b: layer.intermediate.readOnly, ldb: h,
                transposeB: true, beta: 1, c: expanded, ldc: intermediateSize)
            gelu(expanded, count: tokens * intermediateSize)
            addRows(scratch, from: x, rows: tokens, width: h, bias: layer.outputBias.readOnly)
            BLAS.multiply(
                m: tokens, n: h, k: intermediateSize, a: expanded, lda: intermediateSize, b: layer.output.readOnly,
                ldb: intermediateSize, transposeB: true, beta: 1, c: scratch, ldc: h)
            layerNorm(scratch, rows: tokens, weight: layer.outputNormWeight.readOnly, bias: layer.outputNormBias.readOnly)
            swap(&x, &scratch)
        }

        // Mean over each sequence's tokens, then unit length.
        return lengths.enumerated().map { sequence, length in
            var sum = [Double](repeating: 0, count: h)
            for token in 0..<length {
                let row = x + (offsets[sequence] + token) * h
                for column in 0..<h { sum[column] += Double(row[column]) }
            }
            var vector = sum.map { Float($0 / Double(length)) }
            vector.normalizeToUnitLength()
            return vector
        }
    }

    private func fillRows(_ target: UnsafeMutablePointer<Float>, rows: Int, width: Int, with row: UnsafePointer<Float>) {
        for index in 0..<rows { (target + index * width).update(from: row, count: width) }
    }

    private func addRows(
        _ target: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>, rows: Int, width: Int,
        bias: UnsafePointer<Float>
    ) {
        for index in 0..<rows {
            let out = target + index * width
            let input = source + index * width
            for column in 0..<width { out[column] = input[column] + bias[column] }
        }
    }

    private func layerNorm(_ data: UnsafeMutablePointer<Float>, rows: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>) {
        let width = hidden
        for index in 0..<rows {
            let row = data + index * width
            var sum: Float = 0
            for column in 0..<width { sum += row[column] }
            let mean = sum / Float(width)
            var squares: Float = 0
            for column in 0..<width {
                let centered = row[column] - mean
                squares += centered * centered
            }
            let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
            for column in 0..<width { row[column] = (row[column] - mean) * inverse * weight[column] + bias[column] }
        }
    }

    private func softmaxRows(_ data: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for index in 0..<rows {
            let row = data + index * width
            var largest = -Float.infinity
            for column in 0..<width { largest = max(largest, row[column]) }
            var sum: Float = 0
            for column in 0..<width {
                let value = expf(row[column] - largest)
                row[column] = value
                sum += value
            }
            let inverse = 1 / sum
            for column in 0..<width { row[column] *= inverse }
        }
    }

    /// GELU in the erf form BERT was trained with, x·(1 + erf(x/√2))/2, with erf computed as
    /// z·P(z²)/Q(z²) on z clamped to ±3.92 (where erf is 1 in float): a least-squares rational
    /// fit (scripts/reference/fit_erf.py), within 4e-7 of erf everywhere. Unlike a call to libm's
    /// erff per element, the loop has no calls or branches, so it vectorizes; erff was 15% of
    /// the encoder's time.
    private func gelu(_ data: UnsafeMutablePointer<Float>, count: Int) {
        let inverseRootTwo: Float = 0.70710678118654752
        for index in 0..<count {
            let value = data[index]
            let z = Swift.min(Swift.max(value * inverseRootTwo, -3.92), 3.92)
            let s = z * z
            var p: Float = 2.134724390e-06
            p = p * s + 2.836364299e-04
            p = p * s + 3.556834996e-03
            p = p * s + 5.210798244e-02
            p = p * s + 1.850712124e-01
            p = p * s + 1.128379162e+00
            var q: Float = 3.890719826e-05
            q = q * s + 1.118527039e-03
            q = q * s + 1.454538817e-02
            q = q * s + 1.119633789e-01
            q = q * s + 4.973482366e-01
            q = q * s + 1
            data[index] = 0.5 * value * (1 + z * p / q)
        }
    }
}
