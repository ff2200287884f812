-- Herald schema, version 5: the cluster's shared key, idempotent pushes, and each silo's storage backlog.

-- The key silo-to-silo grain calls must carry when Herald:Cluster:InternalKey is not configured: made by the first
-- process that needs it, read by every other. Whoever can read this table can already change every endpoint.
CREATE TABLE herald_cluster_key (
    id         int         PRIMARY KEY CHECK (id = 1),
    key        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A push may carry an idempotency key: a retry with the same key finds the entry the first attempt appended.
ALTER TABLE herald_log ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX herald_log_idempotency_key ON herald_log (idempotency_key) WHERE idempotency_key IS NOT NULL;

DROP FUNCTION herald_append(text, text, text, text);
CREATE FUNCTION herald_append(p_topic text, p_message text, p_type text DEFAULT NULL, p_payload text DEFAULT NULL, p_idempotency_key text DEFAULT NULL)
RETURNS TABLE (seq bigint, created_at timestamptz, topic text, message text, duplicate boolean)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7265796101);
    IF p_idempotency_key IS NOT NULL THEN
        RETURN QUERY SELECT l.seq, l.created_at, l.topic, l.message, true FROM herald_log l WHERE l.idempotency_key = p_idempotency_key;
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY INSERT INTO herald_log AS l (topic, message, type, payload, idempotency_key)
        VALUES (p_topic, p_message, p_type, p_payload, p_idempotency_key)
        RETURNING l.seq, l.created_at, l.topic, l.message, false;
    PERFORM pg_notify('herald_log', currval(pg_get_serial_sequence('herald_log', 'seq'))::text);
END;
$$;

ALTER TABLE herald_silos ADD COLUMN pending_storage_writes int NOT NULL DEFAULT 0;
