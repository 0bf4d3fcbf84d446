/// The kinds of entity `/api/memory/entities` reports (KnowledgeHub's 18). Person, organization,
/// project, location, date and variable_name are never produced: KnowledgeHub finds them only
/// with spaCy, which it ships without, and a plain word is never a variable (API-more.md).
package enum EntityType: String, CaseIterable, Sendable {
    case person
    case organization
    case technology
    case project
    case programmingLanguage = "programming_language"
    case framework
    case database
    case tool
    case concept
    case location
    case date
    case url
    case email
    case filePath = "file_path"
    case functionName = "function_name"
    case className = "class_name"
    case variableName = "variable_name"
    case errorType = "error_type"

    /// What `GET /api/memory/entities/entity-types` says about the type (KnowledgeHub's words).
    package var typeDescription: String {
        switch self {
        case .person: "People and individuals"
        case .organization: "Organizations and companies"
        case .technology: "General technology terms"
        case .project: "Projects and applications"
        case .programmingLanguage: "Programming languages"
        case .framework: "Software frameworks and libraries"
        case .database: "Database systems"
        case .tool: "Development tools and utilities"
        case .concept: "General concepts and ideas"
        case .location: "Places and locations"
        case .date: "Dates and times"
        case .url: "Web URLs and links"
        case .email: "Email addresses"
        case .filePath: "File and directory paths"
        case .functionName: "Function and method names"
        case .className: "Class and type names"
        case .variableName: "Variable and constant names"
        case .errorType: "Error and exception types"
        }
    }
}

/// One entity found in a text. Offsets count Unicode scalars (Python's string indexing), the end
/// exclusive, so `text` is the input's scalars `startPos..<endPos`.
package struct ExtractedEntity: Sendable, Equatable {
    /// The entity as written in the text.
    package var text: String
    package var entityType: EntityType
    package var startPos: Int
    package var endPos: Int
    /// 0...1: 0.95 URLs and emails, 0.9 custom entities, paths, calls and error types, 0.8
    /// dictionary terms, 0.7 CamelCase class names.
    package var confidence: Double
    /// Up to 50 scalars either side of the entity, with the entity.
    package var context: String
    /// `pattern` (how it was found), `tech_category` for dictionary terms, `custom_entity` for
    /// the request's own terms.
    package var metadata: JSONObject

    package init(
        text: String, entityType: EntityType, startPos: Int, endPos: Int, confidence: Double, context: String,
        metadata: JSONObject
    ) {
        self.text = text
        self.entityType = entityType
        self.startPos = startPos
        self.endPos = endPos
        self.confidence = confidence
        self.context = context
        self.metadata = metadata
    }
}

/// KnowledgeHub's pattern-based entity extraction (`services/entity_extraction.py`, the path
/// that runs without spaCy) with its bugs fixed and API-more.md's proposals: URLs, emails, a
/// technology dictionary, file paths, calls, error types and CamelCase class names found by
/// pattern, plus the request's custom terms. Pure; each scan is one pass over the scalars, so
/// time is linear in the text (dictionary and custom terms are walked in a trie, at most the
/// longest term's length from each word start).
package struct EntityExtractor: Sendable {
    package init() {}

    /// Scalars either side of an entity in its `context`.
    package static let contextRadius = 50

    /// The entities of `text`: every candidate, then overlaps resolved in order of start (a
    /// candidate replaces the kept entity it overlaps only with a strictly higher confidence;
    /// at one start the more confident, then the longer, candidate is seen first), ordered by
    /// confidence descending, then start ascending. `customEntities` are matched like
    /// dictionary terms, in any case, as `concept` with confidence 0.9.
    package func extract(_ text: String, customEntities: [String] = []) -> [ExtractedEntity] {
        let document = FoldedText(text)
        guard !document.scalars.isEmpty else { return [] }
        var scan = EntityScan(document: document)
        scan.urls()
        scan.emails()
        scan.filePaths()
        scan.identifiers()
        scan.calls()
        scan.dictionaryTerms()
        scan.customTerms(customEntities)
        return scan.resolved().map { candidate in
            let scalars = document.scalars
            let range = candidate.range
            let contextRange = max(0, range.lowerBound - Self.contextRadius)..<min(scalars.count, range.upperBound + Self.contextRadius)
            return ExtractedEntity(
                text: document.string(range), entityType: candidate.type, startPos: range.lowerBound,
                endPos: range.upperBound, confidence: candidate.confidence, context: document.string(contextRange),
                metadata: candidate.metadata)
        }
        .sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.startPos < $1.startPos }
    }

    /// The statistics of an extraction (`statistics` of `/extract`, `entity_stats` of enrich-chunks).
    package static func statistics(of entities: [ExtractedEntity]) -> EntityStatistics {
        EntityStatistics(entities)
    }

    /// KnowledgeHub's quick estimate for `analyze-entities`: URL and email matches, the seven
    /// technology words present as substrings (any case), `name()` calls and absolute paths
    /// (`/a/b`, `C:\a`); `likely_types` lists url, email, technology, function_name, file_path,
    /// those that were counted, in that order.
    package func analyze(_ text: String) -> EntityAnalysis {
        let document = FoldedText(text)
        var likelyTypes: [EntityType] = []
        var estimate = 0
        func count(_ type: EntityType, _ number: Int) {
            guard number > 0 else { return }
            likelyTypes.append(type)
            estimate += number
        }
        func found(_ scanning: (inout EntityScan) -> Void) -> Int {
            var scan = EntityScan(document: document)
            scanning(&scan)
            return scan.candidates.count
        }
        count(.url, found { $0.urls() })
        count(.email, found { $0.emails() })
        count(.technology, Self.analysisKeywords.filter { document.containsFolded($0) }.count)
        count(.functionName, found { $0.calls() })
        count(.filePath, found { $0.filePaths(kinds: [.absolute, .windows]) })
        let words = document.whitespaceSeparatedWordCount
        return EntityAnalysis(
            textLength: document.scalars.count, estimatedEntities: estimate, likelyTypes: likelyTypes,
            entityDensity: words == 0 ? 0 : Double(estimate) / Double(words))
    }

    static let analysisKeywords = ["python", "javascript", "react", "django", "postgresql", "redis", "docker"]

    // MARK: Dictionary

    /// The technology dictionary (API-more.md), each term with its type. `r` and `go` are
    /// programming languages only when written "R" and "Go" (see `exactSpellings`).
    static let dictionary: [(term: String, type: EntityType)] = {
        let lists: [(EntityType, [String])] = [
            (.programmingLanguage, [
                "python", "javascript", "typescript", "java", "c++", "c#", "csharp", "php", "ruby", "go", "rust", "swift",
                "kotlin", "scala", "r", "matlab", "sql", "html", "css", "bash", "shell", "powershell", "dart", "elixir",
                "erlang", "haskell", "lua", "perl", "julia",
            ]),
            (.framework, [
                "react", "angular", "vue", "svelte", "nextjs", "nuxt", "gatsby", "express", "fastapi", "django", "flask",
                "rails", "laravel", "spring", "springboot", "dotnet", ".net", "asp.net", "tensorflow", "pytorch", "keras",
                "scikit-learn", "pandas", "numpy", "opencv", "matplotlib", "plotly", "bokeh",
            ]),
            (.database, [
                "postgresql", "mysql", "sqlite", "mongodb", "redis", "elasticsearch", "cassandra", "dynamodb", "firebase",
                "supabase", "planetscale", "cockroachdb", "mariadb", "oracle", "sqlserver", "neo4j", "influxdb",
                "clickhouse", "snowflake", "bigquery",
            ]),
            (.tool, [
                "docker", "kubernetes", "jenkins", "gitlab", "github", "bitbucket", "terraform", "ansible", "chef",
                "puppet", "vagrant", "helm", "prometheus", "grafana", "kibana", "splunk", "datadog", "vscode", "intellij",
                "pycharm", "atom", "sublime", "vim", "emacs", "postman", "insomnia", "curl", "wget", "git", "svn",
                "mercurial",
            ]),
            // KnowledgeHub's cloud platforms.
            (.technology, [
                "aws", "amazon", "azure", "gcp", "google cloud", "digitalocean", "heroku", "vercel", "netlify",
                "cloudflare", "linode", "vultr",
            ]),
        ]
        return lists.flatMap { type, terms in terms.map { (term: $0, type: type) } }
    }()

    /// Terms that count only in this exact spelling: KnowledgeHub tagged the verb "go" and the
    /// letter "r" as languages.
    static let exactSpellings: [String: String] = ["r": "R", "go": "Go"]

    static let dictionaryMatcher = TermMatcher(dictionary.map(\.term))
}

/// `statistics` of `/api/memory/entities/extract` and `entity_stats` of enrich-chunks.
package struct EntityStatistics: Sendable, Equatable {
    package var total: Int
    package var byType: [EntityType: Int]
    /// 0 without entities.
    package var averageConfidence: Double
    /// How many distinct texts, compared lowercased.
    package var uniqueEntities: Int
    /// How many distinct types.
    package var entityTypesFound: Int

    package init(_ entities: [ExtractedEntity]) {
        total = entities.count
        byType = entities.reduce(into: [:]) { $0[$1.entityType, default: 0] += 1 }
        averageConfidence = entities.isEmpty ? 0 : entities.reduce(0) { $0 + $1.confidence } / Double(entities.count)
        uniqueEntities = Set(entities.map { $0.text.lowercased() }).count
        entityTypesFound = byType.count
    }

    /// `{by_type, avg_confidence, unique_entities, entity_types_found, text_length}`, the
    /// statistics of `/extract`; `textLength` counts the request text's Unicode scalars.
    package func responseJSON(textLength: Int) -> JSONObject {
        [
            "by_type": .counts(byType),
            "avg_confidence": .double(averageConfidence),
            "unique_entities": .int(Int64(uniqueEntities)),
            "entity_types_found": .int(Int64(entityTypesFound)),
            "text_length": .int(Int64(textLength)),
        ]
    }

    /// `{total, by_type, average_confidence, unique_entities, entity_types_found}`, or
    /// `{total: 0}` without entities: a chunk's `metadata.entity_stats`.
    package var chunkJSON: JSONObject {
        guard total > 0 else { return ["total": 0] }
        return [
            "total": .int(Int64(total)),
            "by_type": .counts(byType),
            "average_confidence": .double(averageConfidence),
            "unique_entities": .int(Int64(uniqueEntities)),
            "entity_types_found": .int(Int64(entityTypesFound)),
        ]
    }
}

/// The answer of `analyze-entities`.
package struct EntityAnalysis: Sendable, Equatable {
    /// Unicode scalars.
    package var textLength: Int
    package var estimatedEntities: Int
    package var likelyTypes: [EntityType]
    /// `estimatedEntities` per whitespace-separated word; 0 without words.
    package var entityDensity: Double

    /// `{text_length, estimated_entities, likely_types, entity_density}`.
    package var json: JSONObject {
        [
            "text_length": .int(Int64(textLength)),
            "estimated_entities": .int(Int64(estimatedEntities)),
            "likely_types": .array(likelyTypes.map { .string($0.rawValue) }),
            "entity_density": .double(entityDensity),
        ]
    }
}

// MARK: - Scanning

/// A text as Unicode scalars with, per scalar, its case-folded value and whether it is a letter
/// or digit: what whole-term matching needs.
struct FoldedText {
    let scalars: [Unicode.Scalar]
    /// `TermMatcher.fold` of each scalar.
    let folded: [UInt32]
    /// Whether each scalar is a letter or digit (the characters a term may not touch).
    let isWordScalar: [Bool]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        folded = scalars.map(TermMatcher.fold)
        isWordScalar = scalars.map(FoldedText.isLetterOrDigit)
    }

    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || (value | 0x20 >= 0x61 && value | 0x20 <= 0x7A)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    func string(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    /// Whether the lower-case ASCII `needle` occurs anywhere in the folded text.
    func containsFolded(_ needle: String) -> Bool {
        let pattern = needle.unicodeScalars.map(\.value)
        guard let first = pattern.first, pattern.count <= folded.count else { return pattern.isEmpty }
        var index = 0
        while index + pattern.count <= folded.count {
            if folded[index] == first, folded[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }

    /// Python's `len(text.split())`.
    var whitespaceSeparatedWordCount: Int { Self.whitespaceSeparatedWordCount(scalars) }

    /// Python's `len(s.split())`: the runs of non-white-space.
    static func whitespaceSeparatedWordCount(_ scalars: some Sequence<Unicode.Scalar>) -> Int {
        var count = 0
        var inWord = false
        for scalar in scalars {
            if scalar.properties.isWhitespace {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
            }
        }
        return count
    }
}

/// A trie of terms over case-folded scalars, matched as whole terms (no letter or digit
/// adjacent). Shared by the entity dictionary, custom entities and the fact extractor's
/// request entities.
struct TermMatcher: Sendable {
    private struct Node: Sendable {
        var children: [UInt32: Int32] = [:]
        /// Indices of the terms that end here.
        var terms: [Int] = []
    }

    private var nodes = [Node()]

    /// `terms` trimmed of white space; empty ones never match. Index `i` of a match is `terms[i]`.
    init(_ terms: [String]) {
        for (index, term) in terms.enumerated() {
            let scalars = Array(term.trimmedWhitespace.unicodeScalars)
            guard !scalars.isEmpty else { continue }
            var node = 0
            for scalar in scalars {
                let key = Self.fold(scalar)
                if let child = nodes[node].children[key] {
                    node = Int(child)
                } else {
                    nodes.append(Node())
                    nodes[node].children[key] = Int32(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
            nodes[node].terms.append(index)
        }
    }

    var isEmpty: Bool { nodes.count == 1 }

    /// A scalar compared case-insensitively: lower-cased when that gives one scalar, every white
    /// space one space (so "google cloud" matches across a tab or line break).
    static func fold(_ scalar: Unicode.Scalar) -> UInt32 {
        let value = scalar.value
        if value < 0x80 {
            if value >= 0x41 && value <= 0x5A { return value + 0x20 }
            if value == 0x09 || value == 0x0A || value == 0x0B || value == 0x0C || value == 0x0D { return 0x20 }
            return value
        }
        let properties = scalar.properties
        if properties.isWhitespace { return 0x20 }
        if properties.changesWhenLowercased {
            let lower = properties.lowercaseMapping.unicodeScalars
            if lower.count == 1, let only = lower.first { return only.value }
        }
        return value
    }

    /// The whole-term matches starting at `start` and ending by `limit`, longest first, as
    /// (end, term indices). A match is whole when no letter or digit of `text` touches it, or
    /// when it touches `bounds`' edges (a substring is judged on its own).
    func matches(in text: FoldedText, at start: Int, within bounds: Range<Int>) -> [(end: Int, terms: [Int])] {
        guard start == bounds.lowerBound || !text.isWordScalar[start - 1] else { return [] }
        var found: [(end: Int, terms: [Int])] = []
        var node = 0
        var index = start
        while index < bounds.upperBound, let child = nodes[node].children[text.folded[index]] {
            node = Int(child)
            index += 1
            if !nodes[node].terms.isEmpty, index == bounds.upperBound || !text.isWordScalar[index] {
                found.append((index, nodes[node].terms))
            }
        }
        return found.reversed()
    }

    /// The indices of the terms occurring as whole terms inside `range`, ascending.
    func terms(in text: FoldedText, range: Range<Int>) -> [Int] {
        var found = Set<Int>()
        for start in range {
            for match in matches(in: text, at: start, within: range) { found.formUnion(match.terms) }
        }
        return found.sorted()
    }
}

/// One candidate entity before overlaps are resolved.
struct EntityCandidate {
    var range: Range<Int>
    var type: EntityType
    var confidence: Double
    var metadata: JSONObject
}

/// The scans of one extraction; each appends to `candidates`.
struct EntityScan {
    let document: FoldedText
    var candidates: [EntityCandidate] = []

    private var scalars: [Unicode.Scalar] { document.scalars }

    private mutating func add(_ range: Range<Int>, _ type: EntityType, _ confidence: Double, _ metadata: JSONObject) {
        candidates.append(EntityCandidate(range: range, type: type, confidence: confidence, metadata: metadata))
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value | 0x20 >= 0x61 && scalar.value | 0x20 <= 0x7A
    }
    private static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }
    private static func isUpper(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x41 && scalar.value <= 0x5A }
    private static func isLower(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x61 && scalar.value <= 0x7A }

    // MARK: URLs and emails

    /// `http://` or `https://` (any case, not inside a word) and the following run of non-space,
    /// without trailing `.,;:!?'"` or an unmatched closing `)`, `]`, `}` or `>`: "see
    /// https://a.example/x)." gives `https://a.example/x`, while Wikipedia's
    /// `https://en.wikipedia.org/wiki/Swift_(programming_language)` keeps its parenthesis.
    mutating func urls() {
        let count = scalars.count
        var index = 0
        while index < count {
            let folded = document.folded[index]
            guard folded == 0x68, index == 0 || !document.isWordScalar[index - 1], let bodyStart = schemeEnd(at: index) else {
                index += 1
                continue
            }
            var end = bodyStart
            while end < count, !scalars[end].properties.isWhitespace { end += 1 }
            let runEnd = end
            var balance: [UInt32: Int] = [:]  // closer → closers minus openers
            let pairs: [UInt32: UInt32] = [0x28: 0x29, 0x5B: 0x5D, 0x7B: 0x7D, 0x3C: 0x3E]
            for position in bodyStart..<end {
                let value = scalars[position].value
                if let closer = pairs[value] { balance[closer, default: 0] -= 1 } else if pairs.values.contains(value) { balance[value, default: 0] += 1 }
            }
            while end > bodyStart {
                let value = scalars[end - 1].value
                if ".,;:!?'\"".unicodeScalars.contains(where: { $0.value == value }) {
                    end -= 1
                } else if pairs.values.contains(value), balance[value, default: 0] > 0 {
                    balance[value, default: 0] -= 1
                    end -= 1
                } else {
                    break
                }
            }
            if end > bodyStart { add(index..<end, .url, 0.95, ["pattern": "regex_url"]) }
            index = runEnd
        }
    }

    /// The end of `http://` or `https://` at `start`, any case.
    private func schemeEnd(at start: Int) -> Int? {
        for scheme in ["https://", "http://"] {
            let pattern = Array(scheme.unicodeScalars)
            guard start + pattern.count <= scalars.count else { continue }
            if (0..<pattern.count).allSatisfy({ document.folded[start + $0] == pattern[$0].value }) { return start + pattern.count }
        }
        return nil
    }

    /// local@domain.tld: the local part letters, digits and `._%+-` (not starting with a dot),
    /// the domain letters, digits, `.` and `-`, ending in a dot and at least two letters that no
    /// letter or digit follows.
    mutating func emails() {
        func isLocal(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (Self.isASCIILetter(scalar) || Self.isASCIIDigit(scalar) || "._%+-".unicodeScalars.contains(scalar))
        }
        func isDomain(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (Self.isASCIILetter(scalar) || Self.isASCIIDigit(scalar) || scalar == "." || scalar == "-")
        }
        let count = scalars.count
        for at in 0..<count where scalars[at] == "@" {
            var localStart = at
            while localStart > 0, isLocal(scalars[localStart - 1]) { localStart -= 1 }
            while localStart < at, scalars[localStart] == "." { localStart += 1 }
            guard localStart < at else { continue }
            var domainEnd = at + 1
            while domainEnd < count, isDomain(scalars[domainEnd]) { domainEnd += 1 }
            // The longest domain prefix ending in ".tld", as the regular expression backtracks to.
            var end = domainEnd
            while end > at + 1 {
                guard Self.isASCIILetter(scalars[end - 1]) else {
                    end -= 1
                    continue
                }
                var letters = end
                while letters > at + 1, Self.isASCIILetter(scalars[letters - 1]) { letters -= 1 }
                if end - letters >= 2, letters - 1 > at + 1, scalars[letters - 1] == ".",
                    end == count || !document.isWordScalar[end]
                {
                    add(localStart..<end, .email, 0.95, ["pattern": "regex_email"])
                    break
                }
                end = letters
            }
        }
    }

    // MARK: Code entities

    enum PathKind { case absolute, relative, home, windows }

    /// File paths (0.9): `/a/b` (at least two segments), `./a` and `../a`, `~/a`, and `C:\a`;
    /// segments are letters, digits and `_-.+@%~`, and a path ends at anything else (a trailing
    /// dot is the sentence's). A path starts where no letter, digit or path character precedes
    /// it, so the slashes of `and/or` and of a URL start none.
    mutating func filePaths(kinds: Set<PathKind> = [.absolute, .relative, .home, .windows]) {
        func isSegment(_ scalar: Unicode.Scalar) -> Bool {
            FoldedText.isLetterOrDigit(scalar) || "_-.+@%~".unicodeScalars.contains(scalar)
        }
        func canStart(_ index: Int) -> Bool {
            guard index > 0 else { return true }
            let previous = scalars[index - 1]
            return !isSegment(previous) && previous != "/" && previous != "\\" && previous != ":"
        }
        let count = scalars.count
        /// Segments separated by `separator` from `start`: the end and how many non-empty
        /// segments, a trailing dot left out.
        func segments(from start: Int, separator: Unicode.Scalar) -> (end: Int, count: Int) {
            var index = start
            var segmentCount = 0
            var end = start
            while index < count {
                var segmentEnd = index
                while segmentEnd < count, isSegment(scalars[segmentEnd]) { segmentEnd += 1 }
                guard segmentEnd > index else { break }
                segmentCount += 1
                end = segmentEnd
                guard segmentEnd < count, scalars[segmentEnd] == separator else { break }
                index = segmentEnd + 1
                end = index  // a trailing separator is part of a directory path
            }
            while end > start, scalars[end - 1] == "." { end -= 1 }
            return (end, segmentCount)
        }
        var index = 0
        while index < count {
            let scalar = scalars[index]
            guard canStart(index) else {
                index += 1
                continue
            }
            var found: (range: Range<Int>, kind: PathKind)?
            if scalar == "/", kinds.contains(.absolute) {
                let (end, segmentCount) = segments(from: index + 1, separator: "/")
                if segmentCount >= 2 { found = (index..<end, .absolute) }
            } else if scalar == ".", kinds.contains(.relative) {
                let prefix = index + 1 < count && scalars[index + 1] == "/" ? 2 : (index + 2 < count && scalars[index + 1] == "." && scalars[index + 2] == "/" ? 3 : 0)
                if prefix > 0 {
                    let (end, segmentCount) = segments(from: index + prefix, separator: "/")
                    if segmentCount >= 1 { found = (index..<end, .relative) }
                }
            } else if scalar == "~", kinds.contains(.home), index + 1 < count, scalars[index + 1] == "/" {
                let (end, segmentCount) = segments(from: index + 2, separator: "/")
                if segmentCount >= 1 { found = (index..<end, .home) }
            } else if Self.isASCIILetter(scalar), kinds.contains(.windows), index + 2 < count, scalars[index + 1] == ":",
                scalars[index + 2] == "\\"
            {
                let (end, segmentCount) = segments(from: index + 3, separator: "\\")
                if segmentCount >= 1 { found = (index..<end, .windows) }
            }
            if let found {
                add(found.range, .filePath, 0.9, ["pattern": "file_path"])
                index = found.range.upperBound
            } else {
                index += 1
            }
        }
    }

    /// Error types (0.9: CamelCase ending in Error, Exception or Warning, like `ValueError`) and
    /// class names (0.7: CamelCase with at least two capitals and a lower-case letter, like
    /// `URLSession`), among whole words of ASCII letters and digits.
    mutating func identifiers() {
        let count = scalars.count
        var index = 0
        while index < count {
            guard document.isWordScalar[index] || scalars[index] == "_" else {
                index += 1
                continue
            }
            var end = index
            while end < count, document.isWordScalar[end] || scalars[end] == "_" { end += 1 }
            let word = scalars[index..<end]
            if Self.isUpper(word.first!), word.allSatisfy({ Self.isASCIILetter($0) || Self.isASCIIDigit($0) }) {
                let capitals = word.filter(Self.isUpper).count
                let text = document.string(index..<end)
                let errorSuffix = ["Error", "Exception", "Warning"].first { text.hasSuffix($0) && text.count > $0.count }
                if capitals >= 2, errorSuffix != nil {
                    add(index..<end, .errorType, 0.9, ["pattern": "error_suffix"])
                } else if capitals >= 2, word.contains(where: Self.isLower) {
                    add(index..<end, .className, 0.7, ["pattern": "camel_case"])
                }
            }
            index = end
        }
    }

    /// Function names (0.9): an identifier, or a dotted chain of them (`os.path.join`),
    /// immediately followed by `()`; the entity is the name, without the parentheses.
    mutating func calls() {
        func isIdentifier(_ scalar: Unicode.Scalar) -> Bool { FoldedText.isLetterOrDigit(scalar) || scalar == "_" }
        let count = scalars.count
        var index = 0
        while index + 1 < count {
            guard scalars[index] == "(", scalars[index + 1] == ")" else {
                index += 1
                continue
            }
            // Walk back over `name` or `a.b.name`; each segment starts with a letter or `_`.
            var nameStart: Int?
            var cursor = index
            while true {
                var segmentStart = cursor
                while segmentStart > 0, isIdentifier(scalars[segmentStart - 1]) { segmentStart -= 1 }
                let first = scalars[segmentStart]
                guard segmentStart < cursor, first == "_" || first.properties.isAlphabetic else { break }
                nameStart = segmentStart
                guard segmentStart >= 2, scalars[segmentStart - 1] == ".", isIdentifier(scalars[segmentStart - 2]) else { break }
                cursor = segmentStart - 1
            }
            if let nameStart { add(nameStart..<index, .functionName, 0.9, ["pattern": "function_call"]) }
            index += 2
        }
    }

    // MARK: Terms

    /// Dictionary terms (0.8), any case, no letter or digit adjacent; the longest term at a start.
    mutating func dictionaryTerms() {
        let matcher = EntityExtractor.dictionaryMatcher
        let whole = 0..<scalars.count
        for start in whole {
            for match in matcher.matches(in: document, at: start, within: whole) {
                let (term, type) = EntityExtractor.dictionary[match.terms[0]]
                if let spelling = EntityExtractor.exactSpellings[term], document.string(start..<match.end) != spelling { continue }
                add(start..<match.end, type, 0.8, ["tech_category": .string(type.rawValue), "pattern": "regex_tech"])
                break
            }
        }
    }

    /// The request's own terms (0.9, `concept`), any case, no letter or digit adjacent.
    mutating func customTerms(_ terms: [String]) {
        let matcher = TermMatcher(terms)
        guard !matcher.isEmpty else { return }
        let whole = 0..<scalars.count
        for start in whole {
            if let longest = matcher.matches(in: document, at: start, within: whole).first {
                add(start..<longest.end, .concept, 0.9, ["custom_entity": true])
            }
        }
    }

    // MARK: Overlaps

    /// Candidates by start (then confidence descending, then longer first, then scan order);
    /// one that overlaps the last kept entity replaces it only with a strictly higher
    /// confidence. Kept entities never overlap, so only the last one can touch a later start.
    func resolved() -> [EntityCandidate] {
        let ordered = candidates.enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            if a.range.lowerBound != b.range.lowerBound { return a.range.lowerBound < b.range.lowerBound }
            if a.confidence != b.confidence { return a.confidence > b.confidence }
            if a.range.count != b.range.count { return a.range.count > b.range.count }
            return left.offset < right.offset
        }
        var kept: [EntityCandidate] = []
        for (_, candidate) in ordered {
            if let last = kept.last, last.range.overlaps(candidate.range) {
                if candidate.confidence > last.confidence { kept[kept.count - 1] = candidate }
            } else {
                kept.append(candidate)
            }
        }
        return kept
    }
}
