/// Warden's own schema, one migration per change, never edited once released.
/// Ids are time-ordered (`ses_01J…`), so `ORDER BY id` is creation order and lists page by id.
/// Times are RFC 3339 UTC text with milliseconds, which sorts like the instants it names.
/// Tables keyed by those ids are WITHOUT ROWID: the id is the B-tree key, so an insert touches
/// one tree instead of a table and its primary-key index, and appends at its right edge.
public enum WardenSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "instance", sql: """
            CREATE TABLE instance (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL
            );
            INSERT INTO instance (id, created_at)
                VALUES (lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
            """),
        Migration(version: 2, name: "api_v1", sql: """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'approver', 'client')),
                prefix TEXT NOT NULL,
                hash BLOB NOT NULL UNIQUE,
                created_by TEXT,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                status TEXT NOT NULL,
                title TEXT NOT NULL,
                metadata TEXT NOT NULL,
                agent TEXT NOT NULL,
                channel TEXT,
                owner_key_id TEXT NOT NULL,
                last_event_seq INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX sessions_by_owner ON sessions (owner_key_id, id);
            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id),
                status TEXT NOT NULL,
                stop_reason TEXT,
                error TEXT,
                usage TEXT,
                created_at TEXT NOT NULL,
                started_at TEXT,
                completed_at TEXT
            ) WITHOUT ROWID;
            CREATE INDEX runs_by_session ON runs (session_id, id);
            CREATE INDEX runs_by_status ON runs (status, id);
            CREATE TABLE messages (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id),
                run_id TEXT REFERENCES runs (id),
                role TEXT NOT NULL,
                content TEXT NOT NULL,
                source TEXT NOT NULL,
                author TEXT,
                external_id TEXT,
                created_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX messages_by_session ON messages (session_id, id);
            CREATE TABLE approvals (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id),
                run_id TEXT,
                status TEXT NOT NULL,
                kind TEXT NOT NULL,
                summary TEXT NOT NULL,
                request TEXT NOT NULL,
                decision TEXT,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX approvals_by_status ON approvals (status, id);
            CREATE INDEX approvals_by_session ON approvals (session_id, id);
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                session_seq INTEGER NOT NULL,
                type TEXT NOT NULL,
                data TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (session_id, session_seq)
            );
            CREATE TABLE idempotency_keys (
                owner_key_id TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash BLOB NOT NULL,
                status INTEGER NOT NULL,
                body BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (owner_key_id, key)
            );
            CREATE INDEX idempotency_by_age ON idempotency_keys (created_at);
            CREATE TABLE audit (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                actor TEXT,
                kind TEXT NOT NULL,
                session_id TEXT,
                subject_id TEXT,
                detail TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX audit_by_kind ON audit (kind, id);
            CREATE INDEX audit_by_session ON audit (session_id, id);
            """),
            // Scheduled tasks fire by advancing `next_fire_at` in the same transaction that queues
        // the run, so a due time fires once even across restarts. Credentials hold only
        // AES-256-GCM ciphertext; the key never reaches the database.
        Migration(version: 3, name: "tasks_and_vault", sql: """
            CREATE TABLE scheduled_tasks (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id),
                cron TEXT NOT NULL,
                timezone TEXT NOT NULL,
                prompt TEXT NOT NULL,
                next_fire_at TEXT,
                last_fired_at TEXT,
                created_by TEXT,
                created_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX scheduled_tasks_by_session ON scheduled_tasks (session_id, id);
            CREATE INDEX scheduled_tasks_by_due ON scheduled_tasks (next_fire_at);
            CREATE TABLE credentials (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                hosts TEXT NOT NULL,
                path_prefix TEXT,
                inject_header TEXT NOT NULL,
                inject_template TEXT NOT NULL,
                placeholder TEXT,
                nonce BLOB NOT NULL,
                ciphertext BLOB NOT NULL,
                created_at TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        // Egress rules of the credential proxy (SPEC §5): what an agent may reach, per method,
        // host (exact or *.suffix) and normalised path prefix; anything unmatched is denied.
        Migration(version: 4, name: "egress_rules", sql: """
            CREATE TABLE egress_rules (
                id TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                methods TEXT,
                path_prefix TEXT,
                action TEXT NOT NULL CHECK (action IN ('allow', 'deny', 'approve')),
                rate_limit_per_minute INTEGER,
                created_by TEXT,
                created_at TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        // Outbound webhooks (SPEC §3). A webhook's signing secret is sealed by the vault, since
        // warden must sign with it; `after_event_seq` is the last event committed before the
        // webhook was, so it receives only what happens after it exists. A delivery is one event
        // for one webhook (unique), with its payload fixed when created, so every retry sends the
        // same bytes. `webhook_dispatch` is the dispatcher's durable cursor in `events`: it moves
        // in the same write that creates the deliveries, so a restart neither repeats nor skips.
        Migration(version: 5, name: "webhooks", sql: """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                description TEXT,
                secret_nonce BLOB NOT NULL,
                secret_ciphertext BLOB NOT NULL,
                after_event_seq INTEGER NOT NULL,
                created_by TEXT,
                created_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                webhook_id TEXT NOT NULL REFERENCES webhooks (id),
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_status_code INTEGER,
                last_error TEXT,
                last_attempt_at TEXT,
                next_attempt_at TEXT,
                created_at TEXT NOT NULL,
                delivered_at TEXT,
                UNIQUE (webhook_id, event_id)
            ) WITHOUT ROWID;
            CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
            CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt_at, id)
                WHERE status = 'pending';
            CREATE TABLE webhook_dispatch (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last_event_seq INTEGER NOT NULL
            );
            INSERT INTO webhook_dispatch (id, last_event_seq) SELECT 1, coalesce(max(seq), 0) FROM events;
            """),
        // Chat channels (SPEC §6). `channel_deliveries` is the 24 h delivery-id dedupe (pruned by
        // maintenance by `received_at`); `channel_messages` the message-id dedupe (Slack's `message` and
        // `app_mention` twins); `channel_threads` maps a platform session key to its session.
        Migration(version: 6, name: "channels", sql: """
            CREATE TABLE channels (
                id TEXT PRIMARY KEY,
                platform TEXT NOT NULL,
                name TEXT NOT NULL,
                settings TEXT NOT NULL,
                verification_credential_id TEXT,
                bot_credential_id TEXT,
                sessions_policy TEXT NOT NULL CHECK (sessions_policy IN ('thread', 'channel', 'user')),
                approvers TEXT NOT NULL,
                created_by TEXT,
                created_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE channel_deliveries (
                channel_id TEXT NOT NULL,
                delivery_id TEXT NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (channel_id, delivery_id)
            ) WITHOUT ROWID;
            CREATE INDEX channel_deliveries_by_age ON channel_deliveries (received_at);
            CREATE TABLE channel_messages (
                channel_id TEXT NOT NULL,
                message_id TEXT NOT NULL,
                warden_message_id TEXT NOT NULL,
                PRIMARY KEY (channel_id, message_id)
            ) WITHOUT ROWID;
            CREATE TABLE channel_threads (
                channel_id TEXT NOT NULL,
                session_key TEXT NOT NULL,
                session_id TEXT NOT NULL,
                PRIMARY KEY (channel_id, session_key)
            ) WITHOUT ROWID;
            """),
        // Channel replies (SPEC §6). `channel_threads.reply_target` is where the latest message
        // of a session key came from (the Channels module's `ReplyTarget` as JSON), so answers go
        // back there. `channel_outbox` holds what Warden sends to a platform — an agent's reply,
        // an approval card, the card's update — and is the delivery record: unique per kind and
        // source (the message or approval id) so a second pass over the events creates nothing;
        // `parts_sent` lets a split reply resume at its first undelivered part.
        // `channel_dispatch` is the dispatcher's durable cursor in `events`, as for webhooks.
        Migration(version: 7, name: "channel_replies", sql: """
            ALTER TABLE channel_threads ADD COLUMN reply_target TEXT;
            CREATE TABLE channel_outbox (
                id TEXT PRIMARY KEY,
                channel_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('reply', 'card', 'card_update')),
                source_id TEXT NOT NULL,
                payload TEXT NOT NULL,
                parts_sent INTEGER NOT NULL DEFAULT 0,
                attempts INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                next_attempt_at TEXT,
                last_attempt_at TEXT,
                last_error TEXT,
                platform_message_ids TEXT NOT NULL DEFAULT '[]',
                created_at TEXT NOT NULL,
                delivered_at TEXT,
                UNIQUE (kind, source_id)
            ) WITHOUT ROWID;
            CREATE INDEX channel_outbox_by_channel ON channel_outbox (channel_id, id);
            CREATE INDEX channel_outbox_pending ON channel_outbox (session_id, id) WHERE status = 'pending';
            CREATE TABLE channel_dispatch (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last_event_seq INTEGER NOT NULL
            );
            INSERT INTO channel_dispatch (id, last_event_seq) SELECT 1, coalesce(max(seq), 0) FROM events;
            """),
        // A credential whose secret is exchanged for a short-lived token (Teams' OAuth client
        // credentials, a Google service account): the kind and its settings as JSON. NULL for
        // every credential sent as is, which all existing rows are.
        Migration(version: 8, name: "credential_exchange", sql: """
            ALTER TABLE credentials ADD COLUMN exchange TEXT;
            ALTER TABLE credentials ADD COLUMN exchange_settings TEXT;
            """),
        // The scheduler asks for one session's queued runs after every message; (status, id)
        // made that a scan of every queued run, (session_id, id) one of every run the session
        // ever had. Still one index, but not free for writes: with session_id in the key a new
        // run's entry lands on its session's leaf, not at the end of the queued range (time-ordered
        // ids), so each message write dirties one more page scattered over the index.
        Migration(version: 9, name: "runs_by_status_and_session", sql: """
            DROP INDEX runs_by_status;
            CREATE INDEX runs_by_status ON runs (status, session_id, id);
            """),
]
}
