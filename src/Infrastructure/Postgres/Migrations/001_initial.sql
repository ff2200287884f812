-- Herald schema, version 1: the log, endpoints, grain state and the attempt log.

CREATE TABLE herald_log (
    seq        bigserial   PRIMARY KEY,
    topic      text        NOT NULL,
    message    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX herald_log_created_at ON herald_log (created_at);

-- What retention has removed. A sequence hole below this is pruned; a hole above it is a rolled-back append.
CREATE TABLE herald_log_meta (
    id             int    PRIMARY KEY CHECK (id = 1),
    pruned_through bigint NOT NULL
);
INSERT INTO herald_log_meta (id, pruned_through) VALUES (1, 0);

-- Appends are serialized under a transaction lock so that sequence order is commit order: a reader that has
-- seen seq N can never later find a smaller seq committed behind it. The NOTIFY is delivered at commit.
CREATE FUNCTION herald_append(p_topic text, p_message text) RETURNS TABLE (seq bigint, created_at timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7265796101);
    RETURN QUERY INSERT INTO herald_log AS l (topic, message) VALUES (p_topic, p_message) RETURNING l.seq, l.created_at;
    PERFORM pg_notify('herald_log', currval(pg_get_serial_sequence('herald_log', 'seq'))::text);
END;
$$;

CREATE TABLE herald_endpoints (
    id              text        PRIMARY KEY,
    url             text        NOT NULL UNIQUE,
    topics          text[]      NOT NULL,
    secret          text,
    headers         jsonb       NOT NULL,
    description     text,
    created_at      timestamptz NOT NULL,
    start_after_seq bigint      NOT NULL,
    enabled         boolean     NOT NULL,
    disabled_reason text,
    disabled_at     timestamptz,
    ordinal         bigserial   NOT NULL
);

CREATE TABLE herald_grain_state (
    grain_type text        NOT NULL,
    grain_key  text        NOT NULL,
    state      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key)
);

CREATE TABLE herald_attempts (
    id            bigserial        PRIMARY KEY,
    endpoint_id   text             NOT NULL,
    message_id    bigint           NOT NULL,
    attempt       int              NOT NULL,
    at            timestamptz      NOT NULL,
    status_code   int,
    latency_ms    double precision NOT NULL,
    error         text,
    response_body text,
    outcome       text             NOT NULL,
    next_retry_at timestamptz
);
CREATE INDEX herald_attempts_endpoint ON herald_attempts (endpoint_id, id DESC);
