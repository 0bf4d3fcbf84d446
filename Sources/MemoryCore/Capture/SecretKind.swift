/// A kind of secret the redactor recognises. The raw value names it in the replacement text
/// (`[REDACTED:openai_key]`) and in `/metrics` (`memoryhub_secrets_redacted_total{kind="openai_key"}`).
package enum SecretKind: String, CaseIterable, Sendable, Hashable {
    /// A PEM private key block (`-----BEGIN … PRIVATE KEY-----` to its END line).
    case privateKey = "private_key"
    /// OpenAI: `sk-…`, `sk-proj-…`.
    case openAIKey = "openai_key"
    /// Anthropic: `sk-ant-…`.
    case anthropicKey = "anthropic_key"
    /// GitHub: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`.
    case gitHubToken = "github_token"
    /// GitLab personal access tokens: `glpat-…`.
    case gitLabToken = "gitlab_token"
    /// Slack tokens (`xoxb-…`) and incoming-webhook URLs.
    case slackToken = "slack_token"
    /// Stripe secret and restricted keys (`sk_live_`, `rk_test_`…) and webhook secrets (`whsec_`).
    case stripeKey = "stripe_key"
    /// Google API keys: `AIza…`.
    case googleAPIKey = "google_api_key"
    /// AWS access key ids: `AKIA…`, `ASIA…`.
    case awsAccessKeyID = "aws_access_key_id"
    /// AWS secret access keys, recognised by the name they are assigned to.
    case awsSecretAccessKey = "aws_secret_access_key"
    /// Hugging Face tokens: `hf_…`.
    case huggingFaceToken = "huggingface_token"
    /// npm tokens: `npm_…`.
    case npmToken = "npm_token"
    /// SendGrid keys: `SG.<id>.<secret>`.
    case sendGridKey = "sendgrid_key"
    /// JSON Web Tokens: three base64url segments, the first two JSON objects (`eyJ…`).
    case jwt
    /// MemoryHub's own API keys: `mhk_…`.
    case memoryHubKey = "memoryhub_key"
    /// The password of `scheme://user:password@host`.
    case passwordInURL = "password_in_url"
    /// `Password=`, `Pwd=`, `AccountKey=`, `SharedAccessKey=` values of `;`-separated connection strings.
    case connectionString = "connection_string"
    /// A literal assigned to a secret-named key (`DB_PASSWORD=…`, `"api_key": "…"`, `--token …`).
    case secretAssignment = "secret_assignment"
    /// The credential of `Authorization: Bearer …`.
    case bearerToken = "bearer_token"
    /// The credential of `Authorization: Basic …`.
    case basicAuth = "basic_auth"

    /// Which kind names a region where several overlap: the more specific format wins.
    var priority: Int {
        switch self {
        case .privateKey: 100
        case .passwordInURL: 80
        case .connectionString, .awsSecretAccessKey: 60
        case .secretAssignment: 50
        case .bearerToken, .basicAuth: 40
        default: 90
        }
    }

    /// What replaces a secret of this kind.
    package var replacement: String { "[REDACTED:\(rawValue)]" }
}
