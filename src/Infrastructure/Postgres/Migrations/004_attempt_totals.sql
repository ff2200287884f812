-- Herald schema, version 4: each silo publishes its running attempt totals with its heartbeat, for rates.

ALTER TABLE herald_silos ADD COLUMN attempts_succeeded bigint NOT NULL DEFAULT 0, ADD COLUMN attempts_failed bigint NOT NULL DEFAULT 0;
