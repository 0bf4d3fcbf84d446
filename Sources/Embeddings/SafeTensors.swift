import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian tensor data.
struct SafeTensors {
    struct TensorInfo {
        var dtype: String
        var shape: [Int]
        var start: Int
        var end: Int
    }

    let path: String
    private let data: Data
    private let dataStart: Int
    let tensors: [String: TensorInfo]

    init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw EmbeddingError.modelMissing("the model weights (model.safetensors) cannot be read", path: path)
        }
        guard data.count >= 8 else {
            throw EmbeddingError.modelCorrupt("model.safetensors is too short to hold a header", path: path)
        }
        let headerLength = data.withUnsafeBytes { raw in
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        }
        guard headerLength <= UInt64(data.count - 8), headerLength <= 100_000_000 else {
            throw EmbeddingError.modelCorrupt(
                "model.safetensors has an impossible header length", path: path, detail: "\(headerLength) bytes")
        }
        let headerEnd = 8 + Int(headerLength)
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any] else {
                throw EmbeddingError.modelCorrupt("the model.safetensors header is not a JSON object", path: path)
            }
            header = object
        } catch let error as EmbeddingError {
            throw error
        } catch {
            throw EmbeddingError.modelCorrupt("the model.safetensors header is not valid JSON", path: path, detail: "\(error)")
        }
        let payloadSize = data.count - headerEnd
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any],
                let dtype = entry["dtype"] as? String,
                let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= payloadSize
            else {
                throw EmbeddingError.modelCorrupt(
                    "model.safetensors describes a tensor it does not hold", path: path, detail: "tensor \(name)")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, start: offsets[0], end: offsets[1])
        }
        self.path = path
        self.data = data
        self.dataStart = headerEnd
        self.tensors = tensors
    }

    /// The tensor as 32-bit floats (F32 as is; F16 and BF16 widened), checked against `shape`.
    /// A `bert.` prefix on the stored names (BertForX checkpoints) is accepted too.
    func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let info = tensors[name] ?? tensors["bert." + name] else {
            throw EmbeddingError.modelCorrupt("model.safetensors lacks a tensor the encoder needs", path: path, detail: name)
        }
        guard info.shape == shape else {
            throw EmbeddingError.modelCorrupt(
                "a tensor in model.safetensors has the wrong shape", path: path,
                detail: "\(name): \(info.shape), expected \(shape)")
        }
        let count = shape.reduce(1, *)
        let bytesPerElement: Int
        switch info.dtype {
        case "F32": bytesPerElement = 4
        case "F16", "BF16": bytesPerElement = 2
        default:
            throw EmbeddingError(
                .unsupportedModel, "model.safetensors stores weights in a type the encoder cannot read",
                detail: "\(name): \(info.dtype)")
        }
        guard info.end - info.start == count * bytesPerElement else {
            throw EmbeddingError.modelCorrupt(
                "a tensor's byte range in model.safetensors does not match its shape", path: path, detail: name)
        }
        let offset = dataStart + info.start
        return data.withUnsafeBytes { raw in
            let source = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count * bytesPerElement)])
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                switch info.dtype {
                case "F32":
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                case "F16":
                    for index in 0..<count {
                        buffer[index] = Self.halfToFloat(source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                    }
                default:
                    for index in 0..<count {
                        let bits = UInt32(source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)) << 16
                        buffer[index] = Float(bitPattern: bits)
                    }
                }
                initialized = count
            }
        }
    }

    /// IEEE 754 half precision to single, subnormals, infinities and NaN included.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
