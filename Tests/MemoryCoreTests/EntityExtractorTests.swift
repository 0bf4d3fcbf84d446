import MemoryCore
import Testing

@Suite struct EntityExtractorTests {
    let extractor = EntityExtractor()

    /// `type text@start..<end`, in the extractor's order.
    func found(_ text: String, custom: [String] = []) -> [String] {
        extractor.extract(text, customEntities: custom).map { "\($0.entityType.rawValue) \($0.text)@\($0.startPos)..<\($0.endPos)" }
    }

    @Test func urlsLeaveTrailingPunctuationOutButKeepBalancedParentheses() {
        #expect(found("See https://example.com/docs?page=2).") == ["url https://example.com/docs?page=2@4..<35"])
        #expect(found("Links: https://a.example/x, https://b.example/y; 'https://c.example/z'! <https://d.example>") == [
            "url https://a.example/x@7..<26", "url https://b.example/y@28..<47", "url https://c.example/z@50..<69",
            "url https://d.example@73..<90",
        ])
        #expect(found("(https://en.wikipedia.org/wiki/Swift_(language))") == ["url https://en.wikipedia.org/wiki/Swift_(language)@1..<47"])
        #expect(found("Visit HTTP://EXAMPLE.ORG!") == ["url HTTP://EXAMPLE.ORG@6..<24"])
        #expect(found("the scheme https:// alone, or xhttps://a is none").isEmpty)
        let url = extractor.extract("go to https://x.io/a").first { $0.entityType == .url }
        #expect(url?.confidence == 0.95)
        #expect(url?.metadata == ["pattern": "regex_url"])
    }

    @Test func emailsNeedADomainWithALetterTopLevelDomain() {
        #expect(found("Write to bob.smith+ops@mail.example.co.uk, or alice@x.io.") == [
            "email bob.smith+ops@mail.example.co.uk@9..<41", "email alice@x.io@46..<56",
        ])
        #expect(found("not one: a@b, c@d.e1, @example.com, x@y.z").isEmpty)
        #expect(extractor.extract("alice@x.io").first?.metadata == ["pattern": "regex_email"])
    }

    @Test func everyDictionaryCategoryIsTypedAndTagged() {
        let entities = extractor.extract("Python with FastAPI on PostgreSQL, shipped by Docker to AWS and Google Cloud.")
        #expect(entities.map { "\($0.entityType.rawValue) \($0.text)" } == [
            "programming_language Python", "framework FastAPI", "database PostgreSQL", "tool Docker", "technology AWS",
            "technology Google Cloud",
        ])
        for entity in entities {
            #expect(entity.confidence == 0.8)
            #expect(entity.metadata == ["tech_category": .string(entity.entityType.rawValue), "pattern": "regex_tech"])
        }
        #expect(found("REDIS, redis and Redisson") == ["database REDIS@0..<5", "database redis@7..<12"])
    }

    @Test func termsWithPunctuationMatchAtPunctuationBoundaries() {
        #expect(found("We ship C++, C# and .NET (ASP.NET too); c#.") == [
            "programming_language C++@8..<11", "programming_language C#@13..<15", "framework .NET@20..<24",
            "framework ASP.NET@26..<33", "programming_language c#@40..<42",
        ])
        #expect(found("c++17, x.net and cc# are not terms").isEmpty)
    }

    @Test func rAndGoAreLanguagesOnlyWhenCapitalised() {
        #expect(found("Go and R are fine, but we go home and r is a letter; GO.") == [
            "programming_language Go@0..<2", "programming_language R@7..<8",
        ])
    }

    @Test func codeEntitiesAreFoundByPattern() {
        let text = "Edit /etc/nginx/nginx.conf, run ./configure and ~/bin/deploy.sh or C:\\Users\\me\\app.ini. "
            + "Then os.path.join() and fetchUser() raised ValueError in HTTPClient."
        #expect(found(text) == [
            "file_path /etc/nginx/nginx.conf@5..<26", "file_path ./configure@32..<43", "file_path ~/bin/deploy.sh@48..<63",
            "file_path C:\\Users\\me\\app.ini@67..<86", "function_name os.path.join@93..<105",
            "function_name fetchUser@112..<121", "error_type ValueError@131..<141", "class_name HTTPClient@145..<155",
        ])
        // Not paths, calls, errors or classes: a lone directory, and/or, a call with arguments,
        // a digit-led name, plain capitalised words and acronyms.
        #expect(found("Use /usr and/or 2/3 of it; print(x) and 3d() fail; Error, NASA, Paris and iPhone.").isEmpty)
    }

    @Test func customEntitiesMatchWholeTermsInAnyCase() {
        let entities = extractor.extract(
            "The Billing Service calls billing service v2, not billingservice.", customEntities: ["billing service", "  "])
        #expect(entities.map(\.text) == ["Billing Service", "billing service"])
        #expect(entities.allSatisfy { $0.entityType == .concept && $0.confidence == 0.9 && $0.metadata == ["custom_entity": true] })
        #expect(found("Redis is fast", custom: ["redis"]) == ["concept Redis@0..<5"])
    }

    @Test func overlapsKeepTheMoreConfidentEntity() {
        // A URL swallows the terms inside it; an email beats nothing of lower confidence inside.
        #expect(found("Clone https://github.com/redis/redis.git or mail ops@redis.io") == [
            "url https://github.com/redis/redis.git@6..<40", "email ops@redis.io@49..<61",
        ])
        // The dictionary (0.8) beats a CamelCase class (0.7); a call (0.9) beats both.
        #expect(found("GitHub and JavaScript, then HTTPClient()") == [
            "function_name HTTPClient@28..<38", "tool GitHub@0..<6", "programming_language JavaScript@11..<21",
        ])
        #expect(found("/usr/local/bin/python") == ["file_path /usr/local/bin/python@0..<21"])
    }

    @Test func resultsAreOrderedByConfidenceThenStart() {
        #expect(found("FooBar uses Redis, see https://x.io and ./run.sh") == [
            "url https://x.io@23..<35", "file_path ./run.sh@40..<48", "database Redis@12..<17", "class_name FooBar@0..<6",
        ])
    }

    @Test func offsetsAndContextCountUnicodeScalars() {
        let text = "Größe: 東京 🚀 uses Redis"
        let redis = extractor.extract(text).first
        #expect(redis?.startPos == 17)
        #expect(redis?.endPos == 22)
        // "é" written as e + combining acute is two scalars (one Character).
        #expect(extractor.extract("Cafe\u{301} Redis").first?.startPos == 6)

        let before = String(repeating: "ä", count: 60) + " "
        let entity = extractor.extract(before + "Docker" + String(repeating: "ö", count: 70)).first
        #expect(entity == nil)  // a letter touches the term: not a whole word
        let spaced = extractor.extract(before + "Docker " + String(repeating: "ö", count: 70))
        #expect(spaced.first?.startPos == 61)
        #expect(spaced.first?.context == String(repeating: "ä", count: 49) + " Docker " + String(repeating: "ö", count: 49))
    }

    @Test func statisticsCountTypesAndLowercasedTexts() {
        let entities = extractor.extract("python Python and Redis at https://x.io")
        let statistics = EntityExtractor.statistics(of: entities)
        #expect(statistics.total == 4)
        #expect(statistics.byType == [.programmingLanguage: 2, .database: 1, .url: 1])
        #expect(statistics.uniqueEntities == 3)
        #expect(statistics.entityTypesFound == 3)
        #expect(abs(statistics.averageConfidence - (0.8 * 3 + 0.95) / 4) < 1e-12)
        let json = statistics.responseJSON(textLength: 39)
        #expect(json["by_type"] == ["programming_language": 2, "database": 1, "url": 1])
        #expect(json["text_length"] == 39)
        #expect(json["unique_entities"] == 3)
        #expect(statistics.chunkJSON["total"] == 4)
        #expect(statistics.chunkJSON["average_confidence"] == json["avg_confidence"])
        #expect(EntityExtractor.statistics(of: []).chunkJSON == ["total": 0])
        #expect(EntityExtractor.statistics(of: []).responseJSON(textLength: 0)["avg_confidence"] == 0.0)
    }

    @Test func analysisEstimatesByKnowledgeHubsCounts() {
        let analysis = extractor.analyze("Read https://x.io and mail a@b.io; python, Django and REDIS; call run() in /srv/app or C:\\app")
        #expect(analysis.estimatedEntities == 8)  // 1 URL, 1 email, 3 keywords, 1 call, 2 paths
        #expect(analysis.likelyTypes == [.url, .email, .technology, .functionName, .filePath])
        #expect(analysis.textLength == 93)
        #expect(abs(analysis.entityDensity - 8.0 / 15.0) < 1e-12)
        #expect(analysis.json["likely_types"] == ["url", "email", "technology", "function_name", "file_path"])
        let empty = extractor.analyze("   ")
        #expect(empty.estimatedEntities == 0 && empty.likelyTypes.isEmpty && empty.entityDensity == 0)
    }

    @Test func thereAreEighteenDescribedTypes() {
        #expect(EntityType.allCases.count == 18)
        #expect(EntityType.programmingLanguage.rawValue == "programming_language")
        #expect(EntityType.errorType.typeDescription == "Error and exception types")
        #expect(EntityType.allCases.allSatisfy { !$0.typeDescription.isEmpty })
        #expect(extractor.extract("").isEmpty)
    }
}
