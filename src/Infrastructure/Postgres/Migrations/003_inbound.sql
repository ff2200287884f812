-- Herald schema, version 3: inbound events. An inbound event is a log entry (its id is the log sequence) that
-- also carries its type and original payload, plus a row in herald_events with what the query API needs.

ALTER TABLE herald_log ADD COLUMN type text, ADD COLUMN payload text;

DROP FUNCTION herald_append(text, text);
CREATE FUNCTION herald_append(p_topic text, p_message text, p_type text DEFAULT NULL, p_payload text DEFAULT NULL)
RETURNS TABLE (seq bigint, created_at timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7265796101);
    RETURN QUERY INSERT INTO herald_log AS l (topic, message, type, payload) VALUES (p_topic, p_message, p_type, p_payload)
        RETURNING l.seq, l.created_at;
    PERFORM pg_notify('herald_log', currval(pg_get_serial_sequence('herald_log', 'seq'))::text);
END;
$$;

CREATE TABLE herald_events (
    id          bigint      PRIMARY KEY,
    source      text        NOT NULL,
    type        text,
    delivery_id text        NOT NULL,
    received_at timestamptz NOT NULL,
    headers     jsonb       NOT NULL,
    payload     text        NOT NULL,
    summary     jsonb       NOT NULL,
    UNIQUE (source, delivery_id)
);
CREATE INDEX herald_events_source_id ON herald_events (source, id);
CREATE INDEX herald_events_received_at ON herald_events (received_at);

-- Stores an inbound event once per (source, delivery id), appending it to the log in the same transaction.
-- Under the append lock, so two gateways receiving the same delivery at once store it once: the second finds
-- the first's row and gets its id.
CREATE FUNCTION herald_append_event(
    p_source text, p_type text, p_delivery_id text, p_headers jsonb, p_payload text, p_summary jsonb, p_message text)
RETURNS TABLE (event_id bigint, received_at timestamptz, created boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_seq bigint;
    v_at timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(7265796101);
    SELECT e.id, e.received_at INTO v_seq, v_at FROM herald_events e WHERE e.source = p_source AND e.delivery_id = p_delivery_id;
    IF FOUND THEN
        RETURN QUERY SELECT v_seq, v_at, false;
        RETURN;
    END IF;
    INSERT INTO herald_log AS l (topic, message, type, payload) VALUES ('inbound.' || p_source, p_message, p_type, p_payload)
        RETURNING l.seq, l.created_at INTO v_seq, v_at;
    INSERT INTO herald_events (id, source, type, delivery_id, received_at, headers, payload, summary)
        VALUES (v_seq, p_source, p_type, p_delivery_id, v_at, p_headers, p_payload, p_summary);
    PERFORM pg_notify('herald_log', v_seq::text);
    RETURN QUERY SELECT v_seq, v_at, true;
END;
$$;
