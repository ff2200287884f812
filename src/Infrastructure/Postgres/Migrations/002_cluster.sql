-- Herald schema, version 2: cluster membership and partition leases.

CREATE TABLE herald_silos (
    id               text        PRIMARY KEY,
    role             text        NOT NULL,
    address          text        NOT NULL,
    owns_partitions  boolean     NOT NULL,
    started_at       timestamptz NOT NULL DEFAULT now(),
    heartbeat_at     timestamptz NOT NULL DEFAULT now(),
    status           text        NOT NULL,
    sse_connections  int         NOT NULL DEFAULT 0
);

-- Webhook grains map to a fixed set of partitions by a stable hash of their key. A silo holds a lease on a
-- partition; the epoch rises with every change of owner and fences writes by a former owner.
CREATE TABLE herald_partitions (
    partition   int         PRIMARY KEY,
    owner       text,
    epoch       bigint      NOT NULL DEFAULT 0,
    lease_until timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO herald_partitions (partition) SELECT generate_series(0, 63);
