import MemoryCore
import Foundation

/// Reads a file one line at a time in bounded memory (a buffer of about one read plus the longest
/// line), numbering lines from 1 as an editor does. A trailing `\r` is dropped; a last line
/// without a newline still counts.
package struct NDJSONReader {
    /// One line of the file.
    package enum Line {
        /// The line's bytes, without its newline.
        case text(number: Int, bytes: ArraySlice<UInt8>)
        /// A line longer than the limit: skipped whole, reported by number.
        case tooLong(number: Int)
    }

    private let handle: FileHandle
    private let maximumLineBytes: Int
    private let readSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var skippingLongLine = false
    private var lineNumber = 0

    /// Opens `path`; throws `invalidField("file", …)` when it cannot be read. Lines longer than
    /// `maximumLineBytes` are reported as `tooLong`.
    package init(path: String, maximumLineBytes: Int = 16 << 20, readSize: Int = 1 << 20) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MemoryHubError.invalidField("file", "Cannot read \(path).")
        }
        self.handle = handle
        self.maximumLineBytes = maximumLineBytes
        self.readSize = readSize
    }

    /// The next line, or nil at the end of the file.
    package mutating func next() throws -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lineNumber += 1
                let line = buffer[start..<newline]
                start = newline + 1
                if skippingLongLine {
                    skippingLongLine = false
                    return .tooLong(number: lineNumber)
                }
                return .text(number: lineNumber, bytes: Self.trimmingReturn(line))
            }
            if atEnd {
                guard start < buffer.count || skippingLongLine else { return nil }
                lineNumber += 1
                let line = buffer[start...]
                start = buffer.count
                if skippingLongLine {
                    skippingLongLine = false
                    return .tooLong(number: lineNumber)
                }
                return .text(number: lineNumber, bytes: Self.trimmingReturn(line))
            }
            if buffer.count - start > maximumLineBytes {
                // Too long to keep: drop what we have and skip to its end.
                skippingLongLine = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
            } else if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: readSize) ?? Data()
            } catch {
                throw MemoryHubError.invalidField("file", "Reading the file failed: \(error).")
            }
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private static func trimmingReturn(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == UInt8(ascii: "\r") ? line.dropLast() : line
    }

    /// Closes the file.
    package func close() {
        try? handle.close()
    }
}
