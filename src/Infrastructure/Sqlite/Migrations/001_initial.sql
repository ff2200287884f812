-- Herald's embedded data file, version 1: what the PostgreSQL schema holds for a cluster, for one process.
-- Times are UTC ticks (100 ns since 0001-01-01); string lists and maps are JSON text.

-- The log. AUTOINCREMENT: a sequence is never handed out twice, even after retention has pruned every entry.
CREATE TABLE herald_log (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    topic           TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    type            TEXT,
    payload         TEXT,
    idempotency_key TEXT
);
CREATE INDEX herald_log_created_at ON herald_log (created_at);
CREATE INDEX herald_log_topic_seq ON herald_log (topic, seq);
CREATE UNIQUE INDEX herald_log_idempotency_key ON herald_log (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- What retention has removed: a sequence at or below it is pruned.
CREATE TABLE herald_log_meta (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through INTEGER NOT NULL
);
INSERT INTO herald_log_meta (id, pruned_through) VALUES (1, 0);

-- Endpoints; the ordinal is registration order, never reused, and pages of the endpoint list resume from one.
CREATE TABLE herald_endpoints (
    ordinal         INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    url             TEXT    NOT NULL UNIQUE,
    topics          TEXT    NOT NULL,
    secret          TEXT,
    headers         TEXT    NOT NULL,
    description     TEXT,
    created_at      INTEGER NOT NULL,
    start_after_seq INTEGER NOT NULL,
    enabled         INTEGER NOT NULL,
    disabled_reason TEXT,
    disabled_at     INTEGER
);

-- Webhook grains' delivery state (Orleans grain storage): Herald's versioned JSON, with a version for optimistic concurrency.
CREATE TABLE herald_grain_state (
    state_name TEXT    NOT NULL,
    grain_id   TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (state_name, grain_id)
) WITHOUT ROWID;

CREATE TABLE herald_attempts (
    id            INTEGER PRIMARY KEY,
    endpoint_id   TEXT    NOT NULL,
    message_id    INTEGER NOT NULL,
    attempt       INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    status_code   INTEGER,
    latency_ms    REAL    NOT NULL,
    error         TEXT,
    response_body TEXT,
    outcome       TEXT    NOT NULL,
    next_retry_at INTEGER
);
CREATE INDEX herald_attempts_endpoint ON herald_attempts (endpoint_id, id);

-- Inbound events: each is also a log entry, and its id is that entry's sequence.
CREATE TABLE herald_events (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    type        TEXT,
    delivery_id TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    headers     TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    UNIQUE (source, delivery_id)
);
CREATE INDEX herald_events_source_id ON herald_events (source, id);
CREATE INDEX herald_events_received_at ON herald_events (received_at);
CREATE INDEX herald_events_type_id ON herald_events (type, id);

-- Completions of the actions derived from inbound events; retention of an event takes its completions with it.
CREATE TABLE herald_action_completions (
    event_id     INTEGER NOT NULL REFERENCES herald_events (id) ON DELETE CASCADE,
    action       TEXT    NOT NULL,
    completed_by TEXT    NOT NULL,
    details      TEXT,
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, action)
) WITHOUT ROWID;

CREATE TABLE herald_subscriptions (
    name        TEXT    PRIMARY KEY,
    sources     TEXT    NOT NULL,
    description TEXT,
    cursor      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
