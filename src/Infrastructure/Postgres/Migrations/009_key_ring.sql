-- Herald schema, version 9: the Data Protection key ring that seals endpoint secrets and header values, kept in the
-- database so every process of the cluster reads the same keys. One row per key (or revocation) element.
CREATE TABLE herald_key_ring (
    name       text        PRIMARY KEY,
    xml        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
