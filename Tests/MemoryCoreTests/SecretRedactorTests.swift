import Foundation
import MemoryCore
import Testing

@Suite struct SecretRedactorTests {
    let redactor = SecretRedactor()

    func redacted(_ text: String) -> String { redactor.redact(text).text }

    @Test func providerTokensAreReplacedByKind() {
        let openAI = "sk-proj-" + String(repeating: "aB3dE5fG7h", count: 6)
        #expect(redacted("export OPENAI_API_KEY=\(openAI)") == "export OPENAI_API_KEY=[REDACTED:openai_key]")
        let github = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
        #expect(redacted("token \(github) expired") == "token [REDACTED:github_token] expired")
        #expect(redacted("key=AKIAQWERTYUIOPASDFGH,") == "key=[REDACTED:aws_access_key_id],")
        let result = redactor.redact("a \(github) and \(openAI)")
        #expect(result.counts == [.gitHubToken: 1, .openAIKey: 1])
    }

    @Test func documentationExamplesAndLookAlikesPassThrough() {
        for text in [
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx",
            "use a risk-free-approach-to-everything-1234",
            "commit 3f2a9c1e8b7d6f5a4c3b2a1f0e9d8c7b6a5f4e3d",
            "id 550e8400-e29b-41d4-a716-446655440000",
            "API_KEY=${API_KEY}",
            "token = os.environ[\"GITHUB_TOKEN\"]",
            "let token: String",
            "self.secret_key = secret_key",
            "const token = await getToken();",
            "max_tokens=4000",
            "PASSWORD_MIN_LENGTH = 12",
            "PWD=/home/dev/project",
            "git clone https://github.com/org/repo.git",
            "postgres://localhost:5432/app",
            "password_hash = \"$2b$12$abcdefghijklmnopqrstuv\"",
            "tokens start with ghp_ and are 40 characters long",
        ] {
            #expect(redacted(text) == text, "\(text)")
        }
    }

    @Test func assignmentsOfLiteralsAreRedactedWhateverTheSyntax() {
        #expect(redacted("DB_PASSWORD=hunter2-Blue!") == "DB_PASSWORD=[REDACTED:secret_assignment]")
        #expect(redacted("password: Tr0ub4dor&3\nuser: bob") == "password: [REDACTED:secret_assignment]\nuser: bob")
        #expect(redacted("{\"api_key\": \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"}") == "{\"api_key\": \"[REDACTED:secret_assignment]\"}")
        #expect(redacted("let clientSecret = \"q8Wz-31xPlm\"") == "let clientSecret = \"[REDACTED:secret_assignment]\"")
        #expect(redacted("mysql --password s3cr3tPass db") == "mysql --password [REDACTED:secret_assignment] db")
        #expect(redacted("ENV API_TOKEN 0a1b2c3d4e5f") == "ENV API_TOKEN [REDACTED:secret_assignment]")
        #expect(redacted("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzKEY")
            == "aws_secret_access_key = [REDACTED:aws_secret_access_key]")
    }

    @Test func urlPasswordsAndConnectionStringsLoseOnlyTheSecret() {
        #expect(redacted("DATABASE_URL=postgres://app:pa55word@db:5432/app") == "DATABASE_URL=postgres://app:[REDACTED:password_in_url]@db:5432/app")
        #expect(redacted("Server=tcp:x;Database=y;User Id=u;Password=Sup3r;Encrypt=True")
            == "Server=tcp:x;Database=y;User Id=u;Password=[REDACTED:connection_string];Encrypt=True")
        #expect(redacted("AccountName=a;AccountKey=abc123+/xyz==;EndpointSuffix=core")
            == "AccountName=a;AccountKey=[REDACTED:connection_string];EndpointSuffix=core")
    }

    @Test func jwtsPrivateKeysAndBearerCredentials() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIz"
        #expect(redacted("Authorization: Bearer \(jwt)") == "Authorization: Bearer [REDACTED:jwt]")
        #expect(redacted("curl -H 'Authorization: Bearer 7f3a9b2c1d4e5f60718293a4'") == "curl -H 'Authorization: Bearer [REDACTED:bearer_token]'")
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc+/=\n-----END RSA PRIVATE KEY-----"
        #expect(redacted("key:\n\(pem)\ndone") == "key:\n[REDACTED:private_key]\ndone")
        #expect(redacted("-----BEGIN PRIVATE KEY-----\nMIIEv") == "[REDACTED:private_key]")
    }

    @Test func privateSpansAreRemovedWithTheirTags() {
        let result = redactor.redact("keep <private>my home address</private> this <PRIVATE>and</Private>.")
        #expect(result.text == "keep  this .")
        #expect(result.privateSpans == 2)
        #expect(redacted("a <private>unclosed to the end") == "a ")
    }

    @Test func theAllowListLetsAnExactValueThrough() {
        let value = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
        #expect(SecretRedactor(allowList: [value]).redact("t \(value)").text == "t \(value)")
    }

    @Test func secretNamesAreRecognisedInAnyCase() {
        for name in ["DB_PASSWORD", "dbPassword", "api-key", "APIKey", "client_secret", "GITHUB_TOKEN", "_authToken", "SecretAccessKey"] {
            #expect(SecretRedactor.isSecretName(name), "\(name)")
        }
        for name in ["password_hash", "max_tokens", "token_count", "next_page_token", "PWD", "OLDPWD", "keyboard", "primary_key"] {
            #expect(!SecretRedactor.isSecretName(name), "\(name)")
        }
    }

    /// Hostile input (many unterminated constructs on one 600 KB line) is scanned, not retried:
    /// a quadratic scan would not finish in the test run.
    @Test func hostileInputIsScannedOnce() {
        let hostile = String(repeating: "password=\"", count: 20_000) + String(repeating: "-----BEGIN ", count: 20_000)
            + String(repeating: "a://b:c", count: 20_000) + String(repeating: "ab://hooks.slack.com/services/", count: 8_000)
        let result = redactor.redact(hostile)
        #expect(result.text.utf8.count >= hostile.utf8.count - 20)
        #expect(result.counts[.slackToken] == 1, "the run of webhook URLs is one URL, redacted")
        #expect(result.text.hasSuffix(SecretKind.slackToken.replacement))
    }
}
