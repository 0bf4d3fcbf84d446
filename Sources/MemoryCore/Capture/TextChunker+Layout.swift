/// The input as ``TextChunker`` sees it: its Unicode scalars cut into units (sentences, fenced blocks,
/// command lines) that tile it exactly, grouped into paragraphs and sections (rules 1 and 2).
/// Built in one pass over the lines; a fence's closing line is found through a precomputed table, so
/// an unclosed fence costs no rescan.
struct ChunkLayout {
    enum UnitKind: Equatable {
        case sentence, fence, command
    }

    struct Unit {
        var kind: UnitKind
        /// The unit's span. Units tile the input: a unit runs to where the next one starts, so it
        /// carries the whitespace after it; the first one also starts at 0.
        var range: Range<Int>
        /// Where the unit's text ends, before that trailing whitespace.
        var visibleEnd: Int
        var endsParagraph = false
        /// A fence's language word.
        var language: String? = nil

        var length: Int { range.count }
    }

    let scalars: [Unicode.Scalar]
    private(set) var units: [Unit] = []
    /// Rule 2's sections, as ranges of `units`, in order, covering all of them.
    private(set) var sections: [Range<Int>] = []

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
        build()
    }

    // MARK: Lines

    struct Line {
        var start: Int
        /// Before the line feed.
        var contentEnd: Int
        /// After the line feed.
        var end: Int
        /// The first and just past the last non-whitespace scalar; nil for a blank line.
        var visible: Range<Int>?
    }

    static func lines(of scalars: [Unicode.Scalar]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        while start < scalars.count {
            var contentEnd = start
            var first: Int?
            var last = start
            while contentEnd < scalars.count, scalars[contentEnd] != "\n" {
                if !ChunkScan.isWhitespace(scalars[contentEnd]) {
                    if first == nil { first = contentEnd }
                    last = contentEnd + 1
                }
                contentEnd += 1
            }
            let end = contentEnd < scalars.count ? contentEnd + 1 : contentEnd
            lines.append(Line(start: start, contentEnd: contentEnd, end: end, visible: first.map { $0..<last }))
            start = end
        }
        return lines
    }

    /// A line whose visible text starts with three or more backticks: it can open a fence (the rest
    /// holds no backtick; its first word is the language) and close one (nothing follows).
    struct FenceMarker {
        var opens: Bool
        var closes: Bool
        var language: String?
    }

    func fenceMarker(_ line: Line) -> FenceMarker? {
        guard let visible = line.visible else { return nil }
        var index = visible.lowerBound
        while index < visible.upperBound, scalars[index] == "`" { index += 1 }
        guard index - visible.lowerBound >= 3 else { return nil }
        if index == visible.upperBound { return FenceMarker(opens: true, closes: true, language: nil) }
        if scalars[index..<visible.upperBound].contains("`") { return nil }
        while ChunkScan.isWhitespace(scalars[index]) { index += 1 }
        var wordEnd = index
        while wordEnd < visible.upperBound, !ChunkScan.isWhitespace(scalars[wordEnd]) { wordEnd += 1 }
        return FenceMarker(opens: true, closes: false, language: ChunkScan.string(scalars, index..<wordEnd))
    }

    /// Outside fences: first visible scalar `$`, `>` or `#`, then more visible text on the line.
    func isCommandLine(_ line: Line) -> Bool {
        guard let visible = line.visible else { return false }
        let first = scalars[visible.lowerBound]
        return (first == "$" || first == ">" || first == "#") && visible.count > 1
    }

    // MARK: Units, paragraphs, sections

    private mutating func build() {
        let lines = Self.lines(of: scalars)
        let markers = lines.map(fenceMarker)
        // nextCloser[i]: the first line at or after i that can close a fence.
        var nextCloser = [Int?](repeating: nil, count: lines.count + 1)
        for index in lines.indices.reversed() {
            nextCloser[index] = markers[index]?.closes == true ? index : nextCloser[index + 1]
        }

        var paragraphs: [(units: Range<Int>, hasCue: Bool)] = []
        var paragraphStart: Int?
        var paragraphHasCue = false
        var prose: Range<Int>?

        func flushProse() {
            guard let segment = prose else { return }
            prose = nil
            appendSentences(segment)
            if !paragraphHasCue { paragraphHasCue = ChunkWords(scalars: scalars, range: segment).hasTransitionCue }
        }
        func closeParagraph() {
            flushProse()
            guard let start = paragraphStart else { return }
            paragraphStart = nil
            units[units.count - 1].endsParagraph = true
            paragraphs.append((start..<units.count, paragraphHasCue))
        }

        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard let visible = line.visible else {
                closeParagraph()
                index += 1
                continue
            }
            if paragraphStart == nil {
                paragraphStart = units.count
                paragraphHasCue = false
            }
            if let marker = markers[index], marker.opens, let closer = nextCloser[index + 1] {
                flushProse()
                units.append(
                    Unit(kind: .fence, range: visible.lowerBound..<lines[closer].visible!.upperBound,
                         visibleEnd: lines[closer].visible!.upperBound, language: marker.language))
                index = closer + 1
                continue
            }
            if isCommandLine(line) {
                flushProse()
                units.append(Unit(kind: .command, range: visible, visibleEnd: visible.upperBound))
            } else {
                prose = (prose?.lowerBound ?? visible.lowerBound)..<visible.upperBound
            }
            index += 1
        }
        closeParagraph()

        // Tile: each unit runs to the next one's start (all between is whitespace).
        for index in units.indices {
            let end = index + 1 < units.count ? units[index + 1].range.lowerBound : scalars.count
            units[index].range = units[index].range.lowerBound..<end
        }
        if !units.isEmpty { units[0].range = 0..<units[0].range.upperBound }

        var sectionStart: Int?
        for paragraph in paragraphs {
            if let start = sectionStart, paragraph.hasCue {
                sections.append(start..<paragraph.units.lowerBound)
                sectionStart = paragraph.units.lowerBound
            } else if sectionStart == nil {
                sectionStart = paragraph.units.lowerBound
            }
        }
        if let start = sectionStart { sections.append(start..<units.count) }
    }

    /// Cuts a prose segment (from its first to just past its last visible scalar) at sentence ends.
    private mutating func appendSentences(_ segment: Range<Int>) {
        var sentenceStart = segment.lowerBound
        var index = segment.lowerBound
        while index < segment.upperBound {
            guard ChunkScan.endsSentence(scalars[index]) else {
                index += 1
                continue
            }
            var runEnd = index + 1
            while runEnd < segment.upperBound, ChunkScan.endsSentence(scalars[runEnd]) { runEnd += 1 }
            if runEnd < segment.upperBound, ChunkScan.isWhitespace(scalars[runEnd]) {
                units.append(Unit(kind: .sentence, range: sentenceStart..<runEnd, visibleEnd: runEnd))
                var next = runEnd
                while ChunkScan.isWhitespace(scalars[next]) { next += 1 }
                sentenceStart = next
                index = next
            } else {
                index = runEnd
            }
        }
        if sentenceStart < segment.upperBound {
            units.append(Unit(kind: .sentence, range: sentenceStart..<segment.upperBound, visibleEnd: segment.upperBound))
        }
    }
}

/// Rule 3: sections longer than the maximum cut into chunks of whole units, with overlaps.
struct ChunkPacker {
    /// A chunk before typing: its span, where its own text starts (after its overlap), its units.
    struct Draft {
        var range: Range<Int>
        var ownStart: Int
        var units: Range<Int>
    }

    let scalars: [Unicode.Scalar]
    let sizes: ChunkSizes
    /// The layout's units, an over-long sentence of a section that will be cut replaced by pieces.
    private(set) var units: [ChunkLayout.Unit] = []
    private(set) var sections: [Range<Int>] = []

    init(layout: ChunkLayout, sizes: ChunkSizes) {
        scalars = layout.scalars
        self.sizes = sizes
        for section in layout.sections {
            let start = units.count
            let span = layout.units[section.lowerBound].range.lowerBound..<layout.units[section.upperBound - 1].range.upperBound
            for unit in layout.units[section] {
                if span.count > sizes.maximum, unit.kind == .sentence, unit.length > sizes.maximum {
                    appendPieces(of: unit)
                } else {
                    units.append(unit)
                }
            }
            sections.append(start..<units.count)
        }
    }

    /// Cuts `unit` into pieces of at most `sizes.piece` scalars: at the last line break in the second
    /// half of the allowance, else at the last space there, else at the allowance. A last piece whose
    /// excess is only trailing whitespace stays whole rather than leave a chunk of blanks.
    private mutating func appendPieces(of unit: ChunkLayout.Unit) {
        let budget = sizes.piece
        var position = unit.range.lowerBound
        while true {
            if unit.range.upperBound - position <= budget || unit.visibleEnd - position <= budget {
                units.append(ChunkLayout.Unit(kind: .sentence, range: position..<unit.range.upperBound, visibleEnd: unit.visibleEnd, endsParagraph: unit.endsParagraph))
                return
            }
            let limit = position + budget
            let floor = position + max(1, budget / 2)
            func lastCut(where isBreak: (Unicode.Scalar) -> Bool) -> Int? {
                var cut = limit
                while cut > floor {
                    if isBreak(scalars[cut - 1]), !ChunkScan.isWhitespace(scalars[cut]) { return cut }
                    cut -= 1
                }
                return nil
            }
            let cut = lastCut(where: { $0 == "\n" }) ?? lastCut(where: ChunkScan.isWhitespace) ?? limit
            var visibleEnd = cut
            while visibleEnd > position + 1, ChunkScan.isWhitespace(scalars[visibleEnd - 1]) { visibleEnd -= 1 }
            units.append(ChunkLayout.Unit(kind: .sentence, range: position..<cut, visibleEnd: visibleEnd))
            position = cut
        }
    }

    func drafts() -> [Draft] {
        var drafts: [Draft] = []
        for section in sections {
            let span = units[section.lowerBound].range.lowerBound..<units[section.upperBound - 1].range.upperBound
            if span.count <= sizes.maximum {
                drafts.append(Draft(range: span, ownStart: span.lowerBound, units: section))
                continue
            }
            var index = section.lowerBound
            var previous: Range<Int>?
            while index < section.upperBound {
                let head = units[index]
                var start = head.range.lowerBound
                if let previous, let overlap = overlapStart(after: previous, limit: min(sizes.overlap, sizes.maximum - head.length)) {
                    start = overlap
                }
                var end = index + 1
                while end < section.upperBound, units[end].range.upperBound - start <= sizes.maximum { end += 1 }
                drafts.append(Draft(range: start..<units[end - 1].range.upperBound, ownStart: head.range.lowerBound, units: index..<end))
                previous = index..<end
                index = end
            }
        }
        return drafts
    }

    /// Where the overlap opening the chunk after `previous` (its own units) starts: its last one or
    /// two sentences if they fit in `limit`, else its last `limit` scalars from the first word that
    /// starts in them. Never inside a protected block; nil when nothing fits.
    func overlapStart(after previous: Range<Int>, limit: Int) -> Int? {
        guard limit > 0 else { return nil }
        let last = units[previous.upperBound - 1]
        guard last.kind == .sentence else { return nil }
        let end = last.range.upperBound
        if last.length <= limit {
            if previous.count >= 2 {
                let before = units[previous.upperBound - 2]
                if before.kind == .sentence, end - before.range.lowerBound <= limit { return before.range.lowerBound }
            }
            return last.range.lowerBound
        }
        let floor = end - limit
        var start = floor
        while start < last.visibleEnd {
            if !ChunkScan.isWhitespace(scalars[start]), ChunkScan.isWhitespace(scalars[start - 1]) { return start }
            start += 1
        }
        return floor < last.visibleEnd ? floor : nil
    }

    /// Types and scores a draft (rules 5-7).
    func classify(_ draft: Draft, critical: Bool) -> ClassifiedChunk {
        var fences: [Range<Int>] = []
        var untaggedFences: [Range<Int>] = []
        var commands: [Range<Int>] = []
        var tag: String?
        for unit in units[draft.units] {
            switch unit.kind {
            case .fence:
                fences.append(unit.range)
                if let language = unit.language {
                    if tag == nil { tag = language }
                } else {
                    untaggedFences.append(unit.range)
                }
            case .command:
                commands.append(unit.range)
            case .sentence:
                break
            }
        }
        let inlineSpans = ChunkScan.inlineCodeSpans(scalars, in: draft.range, skipping: fences)
        let containsCode = !fences.isEmpty || !inlineSpans.isEmpty
        var language: String?
        if containsCode || !commands.isEmpty {
            language = tag ?? ChunkRules.guessLanguage(scalars, in: untaggedFences + inlineSpans + commands)
        }

        let words = ChunkWords(scalars: scalars, range: draft.range)
        let errorCue = words.hasErrorCue
        let questionLine = ChunkScan.hasQuestionLine(scalars, draft.range)
        let type: ChunkType =
            if !fences.isEmpty { .codeBlock }
            else if !commands.isEmpty { .command }
            else if errorCue { .errorMessage }
            else if questionLine { .question }
            else if words.containsPhrase(ChunkRules.decisionWords) { .decision }
            else if words.containsPhrase(ChunkRules.instructionWords) { .instruction }
            else if words.hasFactPattern { .fact }
            else { .conversation }

        var importance = 0.5 + min(Double(draft.range.count) / 1000, 0.2)
        if containsCode { importance += 0.2 }
        if errorCue { importance += 0.15 }
        if questionLine { importance += 0.1 }
        if words.containsPhrase(ChunkRules.weightedDecisionWords) { importance += 0.15 }
        if critical { importance += 0.2 }

        return ClassifiedChunk(
            range: draft.range, ownStart: draft.ownStart, type: type, importance: min(max(importance, 0), 1),
            containsCode: containsCode, language: language, semanticBoundary: units[draft.units.upperBound - 1].endsParagraph,
            hasProtectedBlock: !fences.isEmpty || !commands.isEmpty)
    }
}

/// A typed, scored chunk before its metadata is written.
struct ClassifiedChunk {
    var range: Range<Int>
    var ownStart: Int
    var type: ChunkType
    var importance: Double
    var containsCode: Bool
    var language: String?
    var semanticBoundary: Bool
    var hasProtectedBlock: Bool
    var merged = false
}
