-- Herald schema, version 7: what the seed guide's patterns keep beside the events.

-- Completions of the actions derived from inbound events. The pending actions are the events an action rule
-- matches less these rows, so an event and its actions are stored by one write; an event pruned by retention
-- takes its completions with it.
CREATE TABLE herald_action_completions (
    event_id     bigint      NOT NULL REFERENCES herald_events (id) ON DELETE CASCADE,
    action       text        NOT NULL,
    completed_by text        NOT NULL,
    details      text,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, action)
);

-- Named subscriptions to inbound events, each with the cursor its waits have returned everything up to.
CREATE TABLE herald_subscriptions (
    name        text        PRIMARY KEY,
    sources     text[]      NOT NULL,
    description text,
    cursor      bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The guide's views read the newest events of one type (pushes, the events an action rule names) page by page.
CREATE INDEX herald_events_type_id ON herald_events (type, id);
