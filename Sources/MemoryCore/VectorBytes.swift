/// Vectors travel and rest as little-endian Float32 bytes.
package enum VectorBytes {
    package static func encode(_ vector: [Float]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Nil when the byte count is not a whole number of floats.
    package static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [Float]? {
        guard bytes.count % 4 == 0 else { return nil }
        #if _endian(little)
        // One copy when the bytes are contiguous (they always are from SQLite and PostgreSQL).
        let copied: [Float]? = bytes.withContiguousStorageIfAvailable { source in
            [Float](unsafeUninitializedCapacity: source.count / 4) { buffer, count in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(source))
                count = source.count / 4
            }
        }
        if let copied { return copied }
        #endif
        var vector = [Float]()
        vector.reserveCapacity(bytes.count / 4)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next(), let b1 = iterator.next(), let b2 = iterator.next(), let b3 = iterator.next() {
            let bits = UInt32(b0) | UInt32(b1) << 8 | UInt32(b2) << 16 | UInt32(b3) << 24
            vector.append(Float(bitPattern: bits))
        }
        return vector
    }
}
