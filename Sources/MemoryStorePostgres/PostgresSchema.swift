/// The PostgreSQL schema as numbered migrations. `PostgresMemoryStore.migrate()` applies the missing
/// ones in one transaction that first takes a transaction-scoped advisory lock, so replicas starting
/// at once apply each exactly once; applied versions are recorded in `memoryhub_schema_migrations`.
enum PostgresSchema {
    struct Migration: Sendable {
        var version: Int
        var name: String
        /// One statement each (the extended query protocol takes one at a time).
        var statements: [String]
    }

    /// The key of `pg_advisory_xact_lock` held while migrating: "MEMORYHU" in ASCII.
    static let migrationLockKey = Int64(bitPattern: 0x4D45_4D4F_5259_4855)

    static let createMigrationsTable = """
        CREATE TABLE IF NOT EXISTS memoryhub_schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "sessions-and-memories",
            statements: [
                """
                CREATE TABLE sessions (
                    id uuid PRIMARY KEY,
                    user_id text NOT NULL,
                    project_id text,
                    client_session_id text,
                    parent_session_id uuid,
                    state text NOT NULL,
                    started_at timestamptz NOT NULL,
                    ended_at timestamptz,
                    end_reason text,
                    summary text,
                    metadata jsonb NOT NULL DEFAULT '{}',
                    tags text[] NOT NULL DEFAULT '{}',
                    memory_count integer NOT NULL DEFAULT 0,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    version bigint NOT NULL
                )
                """,
                """
                CREATE UNIQUE INDEX sessions_user_client ON sessions (user_id, client_session_id)
                    WHERE client_session_id IS NOT NULL
                """,
                "CREATE INDEX sessions_user_started ON sessions (user_id, started_at DESC)",
                "CREATE INDEX sessions_user_project_state ON sessions (user_id, project_id, state, updated_at DESC)",
                "CREATE INDEX sessions_parent ON sessions (parent_session_id) WHERE parent_session_id IS NOT NULL",
                "CREATE INDEX sessions_state_updated ON sessions (state, updated_at)",
                "CREATE INDEX sessions_state_ended ON sessions (state, ended_at) WHERE ended_at IS NOT NULL",
                """
                CREATE TABLE memories (
                    id uuid PRIMARY KEY,
                    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                    user_id text NOT NULL,
                    project_id text,
                    content text NOT NULL,
                    summary text,
                    memory_type text NOT NULL,
                    importance double precision NOT NULL,
                    confidence double precision NOT NULL,
                    entities text[] NOT NULL DEFAULT '{}',
                    tags text[] NOT NULL DEFAULT '{}',
                    related_memories uuid[] NOT NULL DEFAULT '{}',
                    metadata jsonb NOT NULL DEFAULT '{}',
                    has_embedding boolean NOT NULL DEFAULT false,
                    embedding bytea,
                    access_count bigint NOT NULL DEFAULT 0,
                    last_accessed timestamptz,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    version bigint NOT NULL
                )
                """,
                "CREATE INDEX memories_session_created ON memories (session_id, created_at DESC)",
                "CREATE INDEX memories_user_created ON memories (user_id, created_at DESC)",
                "CREATE INDEX memories_user_project_created ON memories (user_id, project_id, created_at DESC)",
            ]),
        Migration(
            version: 2, name: "search-index",
            statements: [
                "CREATE TABLE user_sequences (user_id text PRIMARY KEY, value bigint NOT NULL)",
                "ALTER TABLE memories ADD COLUMN change_seq bigint NOT NULL DEFAULT 0",
                "ALTER TABLE memories ADD COLUMN search_vector tsvector",
                """
                CREATE FUNCTION memoryhub_memory_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.search_vector := to_tsvector('english'::regconfig, NEW.content || ' ' || coalesce(NEW.summary, '')
                        || ' ' || array_to_string(NEW.entities, ' ') || ' ' || array_to_string(NEW.tags, ' '));
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER memories_search_vector BEFORE INSERT OR UPDATE OF content, summary, entities, tags
                    ON memories FOR EACH ROW EXECUTE FUNCTION memoryhub_memory_search_vector()
                """,
                "UPDATE memories SET content = content",
                "CREATE INDEX memories_search ON memories USING gin (search_vector)",
                "CREATE INDEX memories_user_change ON memories (user_id, change_seq)",
                "CREATE INDEX memories_awaiting_embedding ON memories (created_at) WHERE NOT has_embedding",
                """
                CREATE TABLE memory_tombstones (
                    id uuid PRIMARY KEY,
                    user_id text NOT NULL,
                    change_seq bigint NOT NULL
                )
                """,
                "CREATE INDEX memory_tombstones_user_change ON memory_tombstones (user_id, change_seq)",
            ]),
        Migration(
            version: 3, name: "api-keys",
            statements: [
                """
                CREATE TABLE api_keys (
                    id uuid PRIMARY KEY,
                    user_id text NOT NULL,
                    name text,
                    is_admin boolean NOT NULL,
                    secret_hash bytea NOT NULL,
                    created_at timestamptz NOT NULL,
                    last_used_at timestamptz,
                    revoked_at timestamptz
                )
                """,
                "CREATE INDEX api_keys_user ON api_keys (user_id, created_at DESC)",
            ]),
        Migration(
            version: 4, name: "search-words-like-sqlite",
            statements: [
                // English stemming without a stop-word list, as SQLite's porter tokenizer: the
                // 'english' configuration dropped words such as "don" and "t", so `don't` found
                // nothing (our query parser leaves out its own common words).
                "CREATE TEXT SEARCH DICTIONARY memoryhub_english_stem (TEMPLATE = snowball, Language = english)",
                "CREATE TEXT SEARCH CONFIGURATION memoryhub_english (COPY = english)",
                """
                ALTER TEXT SEARCH CONFIGURATION memoryhub_english ALTER MAPPING FOR asciiword, word, numword,
                    asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart WITH memoryhub_english_stem
                """,
                // Words are runs of letters and digits, as SQLite's unicode61 tokenizer cuts them:
                // PostgreSQL's parser kept `v2.1-rc`, `500ms` or `a/b.swift` whole, so the words
                // of a query never matched them (issue 10, item 6).
                """
                CREATE OR REPLACE FUNCTION memoryhub_memory_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.search_vector := to_tsvector('memoryhub_english'::regconfig, regexp_replace(
                        NEW.content || ' ' || coalesce(NEW.summary, '') || ' ' || array_to_string(NEW.entities, ' ')
                            || ' ' || array_to_string(NEW.tags, ' '),
                        '[^[:alnum:]]+', ' ', 'g'));
                    RETURN NEW;
                END
                $$
                """,
                "UPDATE memories SET content = content",
            ]),
        Migration(
            version: 5, name: "unspaced-scripts",
            statements: [
                // Chinese, Japanese and Korean runs are indexed a character at a time (and queried
                // as phrases), as on SQLite, so a word inside an unspaced run is found (issue 10, item 6).
                """
                CREATE OR REPLACE FUNCTION memoryhub_memory_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.search_vector := to_tsvector('memoryhub_english'::regconfig, regexp_replace(regexp_replace(
                        NEW.content || ' ' || coalesce(NEW.summary, '') || ' ' || array_to_string(NEW.entities, ' ')
                            || ' ' || array_to_string(NEW.tags, ' '),
                        '([\\u3040-\\u30ff\\u31f0-\\u31ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7af\\U00020000-\\U0002fa1f])',
                        ' \\1 ', 'g'),
                        '[^[:alnum:]]+', ' ', 'g'));
                    RETURN NEW;
                END
                $$
                """,
                "UPDATE memories SET content = content",
            ]),
        Migration(
            version: 6, name: "settings",
            statements: ["CREATE TABLE memoryhub_settings (key text PRIMARY KEY, value text NOT NULL)"]),
        Migration(
            version: 7, name: "content-hash",
            statements: [
                // Write-time de-duplication: one memory per (user, project, normalised content hash).
                // Memories stored before this migration have no hash and are not matched.
                "ALTER TABLE memories ADD COLUMN content_hash text",
                """
                CREATE UNIQUE INDEX memories_content_hash ON memories (user_id, (coalesce(project_id, '')), content_hash)
                    WHERE content_hash IS NOT NULL
                """,
            ]),
        Migration(version: 8, name: "superseded-by", statements: ["ALTER TABLE memories ADD COLUMN superseded_by uuid"]),
        Migration(
            version: 9, name: "context-feedback",
            statements: [
                """
                CREATE TABLE context_feedback (
                    id bigserial PRIMARY KEY,
                    user_id text NOT NULL,
                    memory_ids uuid[] NOT NULL,
                    effectiveness_score double precision NOT NULL,
                    feedback text,
                    memories_updated integer NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX context_feedback_user_created ON context_feedback (user_id, created_at)",
            ]),
        Migration(
            version: 10, name: "job-runs",
            statements: [
                "CREATE TABLE job_leases (job text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL)",
                """
                CREATE TABLE job_runs (
                    id bigserial PRIMARY KEY,
                    job text NOT NULL,
                    started_at timestamptz NOT NULL,
                    completed_at timestamptz,
                    counts jsonb NOT NULL DEFAULT '{}',
                    error text,
                    host text NOT NULL
                )
                """,
                "CREATE INDEX job_runs_job_started ON job_runs (job, started_at)",
            ]),
        Migration(
            version: 11, name: "context-items",
            statements: [
                // Persistent context (API-more.md): private to its user, lexically indexed like
                // memories (a tsvector kept by a trigger, a GIN index), embedded in the background.
                """
                CREATE TABLE context_items (
                    id uuid PRIMARY KEY,
                    user_id text NOT NULL,
                    scope text NOT NULL,
                    project_id text,
                    session_id uuid,
                    context_type text NOT NULL,
                    content text NOT NULL,
                    importance double precision NOT NULL,
                    access_count bigint NOT NULL DEFAULT 1,
                    last_accessed timestamptz NOT NULL,
                    related_entities text[] NOT NULL DEFAULT '{}',
                    metadata jsonb NOT NULL DEFAULT '{}',
                    has_embedding boolean NOT NULL DEFAULT false,
                    embedding bytea,
                    search_vector tsvector,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    decayed_at timestamptz,
                    version bigint NOT NULL
                )
                """,
                """
                CREATE FUNCTION memoryhub_context_item_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.search_vector := to_tsvector('memoryhub_english'::regconfig, regexp_replace(regexp_replace(
                        NEW.content || ' ' || array_to_string(NEW.related_entities, ' '),
                        '([\\u3040-\\u30ff\\u31f0-\\u31ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7af\\U00020000-\\U0002fa1f])',
                        ' \\1 ', 'g'),
                        '[^[:alnum:]]+', ' ', 'g'));
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER context_items_search_vector BEFORE INSERT OR UPDATE OF content, related_entities
                    ON context_items FOR EACH ROW EXECUTE FUNCTION memoryhub_context_item_search_vector()
                """,
                "CREATE INDEX context_items_search ON context_items USING gin (search_vector)",
                "CREATE INDEX context_items_user_type ON context_items (user_id, context_type, created_at DESC)",
                "CREATE INDEX context_items_awaiting_embedding ON context_items (created_at) WHERE NOT has_embedding",
            ]),
        Migration(
            version: 12, name: "hot-session-updates",
            statements: [
                // Every memory write moves its session's memory_count, version and updated_at. With
                // updated_at in two indexes, none of those updates could be HOT (heap-only): each
                // wrote an entry into all seven session indexes, and a session written to all the time
                // piled up dead index entries that every lookup of it (the memories' foreign-key
                // check among them) walked (issue 16: 58,700 updates, 23 HOT). Without updated_at in
                // an index, and with room left on each page, they stay on the page and are pruned.
                // Active sessions are few: the idle-session cleanup and the latest active session
                // of a project read them through a partial index and sort by updated_at.
                "DROP INDEX sessions_user_project_state",
                "DROP INDEX sessions_state_updated",
                "CREATE INDEX sessions_active ON sessions (user_id, project_id) WHERE state = 'active'",
                "ALTER TABLE sessions SET (fillfactor = 80)",
            ]),
    ]
}