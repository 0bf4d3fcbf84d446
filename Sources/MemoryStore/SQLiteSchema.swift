import GRDB

/// The embedded schema, as versioned migrations. GRDB records applied migrations in the file and
/// runs each in an IMMEDIATE transaction, so two processes starting at once apply each exactly once.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-sessions-and-memories") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        id TEXT PRIMARY KEY NOT NULL,
                        user_id TEXT NOT NULL,
                        project_id TEXT,
                        client_session_id TEXT,
                        parent_session_id TEXT,
                        state TEXT NOT NULL,
                        started_at INTEGER NOT NULL,
                        ended_at INTEGER,
                        end_reason TEXT,
                        summary TEXT,
                        metadata TEXT NOT NULL DEFAULT '{}',
                        tags TEXT NOT NULL DEFAULT '[]',
                        memory_count INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        version INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX sessions_user_client ON sessions (user_id, client_session_id)
                        WHERE client_session_id IS NOT NULL;
                    CREATE INDEX sessions_user_started ON sessions (user_id, started_at DESC);
                    CREATE INDEX sessions_user_project_state ON sessions (user_id, project_id, state, updated_at DESC);
                    CREATE INDEX sessions_parent ON sessions (parent_session_id) WHERE parent_session_id IS NOT NULL;
                    CREATE INDEX sessions_state_updated ON sessions (state, updated_at);

                    CREATE TABLE memories (
                        id TEXT PRIMARY KEY NOT NULL,
                        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                        user_id TEXT NOT NULL,
                        project_id TEXT,
                        content TEXT NOT NULL,
                        summary TEXT,
                        memory_type TEXT NOT NULL,
                        importance REAL NOT NULL,
                        confidence REAL NOT NULL,
                        entities TEXT NOT NULL DEFAULT '[]',
                        tags TEXT NOT NULL DEFAULT '[]',
                        related_memories TEXT NOT NULL DEFAULT '[]',
                        metadata TEXT NOT NULL DEFAULT '{}',
                        has_embedding INTEGER NOT NULL DEFAULT 0,
                        embedding BLOB,
                        access_count INTEGER NOT NULL DEFAULT 0,
                        last_accessed INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        version INTEGER NOT NULL
                    );
                    CREATE INDEX memories_session_created ON memories (session_id, created_at DESC);
                    CREATE INDEX memories_user_created ON memories (user_id, created_at DESC);
                    CREATE INDEX memories_user_project_created ON memories (user_id, project_id, created_at DESC);
                    """)
        }
        migrator.registerMigration("v2-search-index") { db in
            // The FTS rows share the memories' rowids; SQLite keeps rowids unless the file is
            // VACUUMed, which MemoryHub never does (a VACUUM must be followed by a reindex).
            try db.execute(
                sql: """
                    CREATE TABLE user_sequences (user_id TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    ALTER TABLE memories ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX memories_user_change ON memories (user_id, change_seq);
                    CREATE INDEX memories_awaiting_embedding ON memories (created_at) WHERE has_embedding = 0;
                    CREATE TABLE memory_tombstones (
                        id TEXT PRIMARY KEY NOT NULL,
                        user_id TEXT NOT NULL,
                        change_seq INTEGER NOT NULL
                    );
                    CREATE INDEX memory_tombstones_user_change ON memory_tombstones (user_id, change_seq);
                    CREATE VIRTUAL TABLE memories_fts USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
                    CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
                        INSERT INTO memories_fts (rowid, text) VALUES (new.rowid,
                            new.content || ' ' || coalesce(new.summary, '') || ' ' || new.entities || ' ' || new.tags);
                    END;
                    CREATE TRIGGER memories_fts_update AFTER UPDATE OF content, summary, entities, tags ON memories BEGIN
                        DELETE FROM memories_fts WHERE rowid = old.rowid;
                        INSERT INTO memories_fts (rowid, text) VALUES (new.rowid,
                            new.content || ' ' || coalesce(new.summary, '') || ' ' || new.entities || ' ' || new.tags);
                    END;
                    CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
                        DELETE FROM memories_fts WHERE rowid = old.rowid;
                    END;
                    INSERT INTO memories_fts (rowid, text)
                        SELECT rowid, content || ' ' || coalesce(summary, '') || ' ' || entities || ' ' || tags FROM memories;
                    """)
        }
        migrator.registerMigration("v3-api-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY NOT NULL,
                        user_id TEXT NOT NULL,
                        name TEXT,
                        is_admin INTEGER NOT NULL,
                        secret_hash BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        last_used_at INTEGER,
                        revoked_at INTEGER
                    );
                    CREATE INDEX api_keys_user ON api_keys (user_id, created_at DESC);
                    """)
        }
        migrator.registerMigration("v4-unspaced-scripts") { db in
            // Chinese, Japanese and Korean runs are indexed a character at a time (and queried as
            // phrases), so a word inside an unspaced run is found (issue 10, item 6).
            let indexed = "memoryhub_index_text(new.content || ' ' || coalesce(new.summary, '') || ' ' || new.entities || ' ' || new.tags)"
            try db.execute(
                sql: """
                    DROP TRIGGER memories_fts_insert;
                    DROP TRIGGER memories_fts_update;
                    CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
                        INSERT INTO memories_fts (rowid, text) VALUES (new.rowid, \(indexed));
                    END;
                    CREATE TRIGGER memories_fts_update AFTER UPDATE OF content, summary, entities, tags ON memories BEGIN
                        DELETE FROM memories_fts WHERE rowid = old.rowid;
                        INSERT INTO memories_fts (rowid, text) VALUES (new.rowid, \(indexed));
                    END;
                    DELETE FROM memories_fts;
                    INSERT INTO memories_fts (rowid, text)
                        SELECT rowid, memoryhub_index_text(content || ' ' || coalesce(summary, '') || ' ' || entities || ' ' || tags) FROM memories;
                    """)
        }
        migrator.registerMigration("v5-settings") { db in
            try db.execute(sql: "CREATE TABLE memoryhub_settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
        }
        migrator.registerMigration("v6-content-hash") { db in
            // Write-time de-duplication: one memory per (user, project, normalised content hash).
            // Memories stored before this migration have no hash and are not matched.
            try db.execute(
                sql: """
                    ALTER TABLE memories ADD COLUMN content_hash TEXT;
                    CREATE UNIQUE INDEX memories_content_hash ON memories (user_id, ifnull(project_id, ''), content_hash)
                        WHERE content_hash IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v7-superseded-by") { db in
            try db.execute(sql: "ALTER TABLE memories ADD COLUMN superseded_by TEXT")
        }
        migrator.registerMigration("v8-context-feedback") { db in
            try db.execute(
                sql: """
                    CREATE TABLE context_feedback (
                        id INTEGER PRIMARY KEY,
                        user_id TEXT NOT NULL,
                        memory_ids TEXT NOT NULL,
                        effectiveness_score REAL NOT NULL,
                        feedback TEXT,
                        memories_updated INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX context_feedback_user_created ON context_feedback (user_id, created_at);
                    """)
        }
        migrator.registerMigration("v9-job-runs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job_leases (job TEXT PRIMARY KEY NOT NULL, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
                    CREATE TABLE job_runs (
                        id INTEGER PRIMARY KEY,
                        job TEXT NOT NULL,
                        started_at INTEGER NOT NULL,
                        completed_at INTEGER,
                        counts TEXT NOT NULL DEFAULT '{}',
                        error TEXT,
                        host TEXT NOT NULL
                    );
                    CREATE INDEX job_runs_job_started ON job_runs (job, started_at);
                    """)
        }
        migrator.registerMigration("v10-context-items") { db in
            // Persistent context (API-more.md): private to its user, lexically indexed by
            // triggers as memories are, embedded in the background (has_embedding = 0 queues it).
            try db.execute(
                sql: """
                    CREATE TABLE context_items (
                        id TEXT PRIMARY KEY NOT NULL,
                        user_id TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        project_id TEXT,
                        session_id TEXT,
                        context_type TEXT NOT NULL,
                        content TEXT NOT NULL,
                        importance REAL NOT NULL,
                        access_count INTEGER NOT NULL DEFAULT 1,
                        last_accessed INTEGER NOT NULL,
                        related_entities TEXT NOT NULL DEFAULT '[]',
                        metadata TEXT NOT NULL DEFAULT '{}',
                        has_embedding INTEGER NOT NULL DEFAULT 0,
                        embedding BLOB,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        decayed_at INTEGER,
                        version INTEGER NOT NULL
                    );
                    CREATE INDEX context_items_user_type ON context_items (user_id, context_type, created_at DESC);
                    CREATE INDEX context_items_awaiting_embedding ON context_items (created_at) WHERE has_embedding = 0;
                    CREATE VIRTUAL TABLE context_items_fts USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
                    CREATE TRIGGER context_items_fts_insert AFTER INSERT ON context_items BEGIN
                        INSERT INTO context_items_fts (rowid, text)
                            VALUES (new.rowid, memoryhub_index_text(new.content || ' ' || new.related_entities));
                    END;
                    CREATE TRIGGER context_items_fts_update AFTER UPDATE OF content, related_entities ON context_items BEGIN
                        DELETE FROM context_items_fts WHERE rowid = old.rowid;
                        INSERT INTO context_items_fts (rowid, text)
                            VALUES (new.rowid, memoryhub_index_text(new.content || ' ' || new.related_entities));
                    END;
                    CREATE TRIGGER context_items_fts_delete AFTER DELETE ON context_items BEGIN
                        DELETE FROM context_items_fts WHERE rowid = old.rowid;
                    END;
                    """)
        }
        migrator.registerMigration("v11-session-writes") { db in
            // Every memory write moves its session's updated_at: with it in two indexes, each write
            // also rewrote two index entries (and their pages in the WAL). Active sessions are few;
            // the idle-session cleanup and the latest active session read them through a partial
            // index (as on PostgreSQL, migration 12).
            try db.execute(
                sql: """
                    DROP INDEX sessions_user_project_state;
                    DROP INDEX sessions_state_updated;
                    CREATE INDEX sessions_active ON sessions (user_id, project_id) WHERE state = 'active';
                    """)
        }
        migrator.registerMigration("v12-rank-fields") { db in
            // What lexical search reads for every full-text match, by rowid: a narrow copy of
            // memories' ranking and filter columns, kept by triggers in the same transaction. A
            // memories row holds its 1.5 KB vector, so two fit a page, and joining 6,000 matches
            // touched 6,000 pages (BENCHMARKS.md, "BM25 without a statement per
            // match, and a narrow table to join"); these rows fit about thirty to a page. SQLite
            // cannot build a covering index keyed by rowid, hence a table. Its rowids are memories'
            // (as the FTS table's are): rows are written with OR REPLACE, so a stale row (after a
            // VACUUM renumbered memories, say) is replaced instead of failing the write.
            let columns = "id, user_id, project_id, session_id, memory_type, importance, created_at, superseded"
            let values = "new.id, new.user_id, new.project_id, new.session_id, new.memory_type, new.importance, new.created_at, new.superseded_by IS NOT NULL"
            try db.execute(
                sql: """
                    CREATE TABLE memories_rank_fields (
                        rowid INTEGER PRIMARY KEY,
                        id TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        project_id TEXT,
                        session_id TEXT NOT NULL,
                        memory_type TEXT NOT NULL,
                        importance REAL NOT NULL,
                        created_at INTEGER NOT NULL,
                        superseded INTEGER NOT NULL
                    );
                    INSERT INTO memories_rank_fields (rowid, \(columns))
                        SELECT rowid, id, user_id, project_id, session_id, memory_type, importance, created_at,
                            superseded_by IS NOT NULL
                        FROM memories;
                    CREATE TRIGGER memories_rank_fields_insert AFTER INSERT ON memories BEGIN
                        INSERT OR REPLACE INTO memories_rank_fields (rowid, \(columns)) VALUES (new.rowid, \(values));
                    END;
                    CREATE TRIGGER memories_rank_fields_update
                    AFTER UPDATE OF id, user_id, project_id, session_id, memory_type, importance, created_at, superseded_by
                    ON memories BEGIN
                        DELETE FROM memories_rank_fields WHERE rowid = old.rowid;
                        INSERT OR REPLACE INTO memories_rank_fields (rowid, \(columns)) VALUES (new.rowid, \(values));
                    END;
                    CREATE TRIGGER memories_rank_fields_delete AFTER DELETE ON memories BEGIN
                        DELETE FROM memories_rank_fields WHERE rowid = old.rowid;
                    END;
                    """)
        }
        return migrator
    }
}
