-- Herald data file, version 2: a subscription belongs to the API key that made it, and its name is unique per owner.
-- Subscriptions made before belong to the empty owner, a hub's callers while it has no keys.
CREATE TABLE herald_subscriptions_by_owner (
    owner       TEXT    NOT NULL DEFAULT '',
    name        TEXT    NOT NULL,
    sources     TEXT    NOT NULL,
    description TEXT,
    cursor      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (owner, name)
) WITHOUT ROWID;

INSERT INTO herald_subscriptions_by_owner (owner, name, sources, description, cursor, created_at, updated_at)
SELECT '', name, sources, description, cursor, created_at, updated_at FROM herald_subscriptions;

DROP TABLE herald_subscriptions;
ALTER TABLE herald_subscriptions_by_owner RENAME TO herald_subscriptions;
