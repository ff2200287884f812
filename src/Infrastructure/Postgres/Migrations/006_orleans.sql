-- Herald schema, version 6: Herald runs on Microsoft Orleans 10 (pinned: 10.4.2).
--
-- Orleans's ADO.NET providers (clustering, grain storage, reminders) read the SQL they run from the orleansquery
-- table, by key. This script creates the tables behind them and those queries. It is written for Herald from the
-- providers' contract: the query keys, the parameter names and types they send (@Name; int, bigint, text,
-- timestamptz, bytea), and the result columns they read, by name or by position as noted. Each query is one
-- statement, so it commits or fails whole. Table and column names are Herald's own; only the orleansquery table,
-- the keys and the result column names are fixed by the providers.
--
-- The home-made runtime's tables go: Orleans owns membership, placement and grain state now.

DROP TABLE IF EXISTS herald_partitions;
DROP TABLE IF EXISTS herald_silos;
DROP TABLE IF EXISTS herald_grain_state;
DROP TABLE IF EXISTS herald_cluster_key;

CREATE TABLE orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

-- Membership ------------------------------------------------------------------------------------------------------
-- One version row per cluster (the providers' "deployment id" is the cluster id): every change of a member row
-- raises it, and a change made against an older version is refused, which is how silos agree on the table.

CREATE TABLE orleans_membership_version (
    deploymentid text        PRIMARY KEY,
    version      integer     NOT NULL DEFAULT 0,
    changed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orleans_membership (
    deploymentid text        NOT NULL REFERENCES orleans_membership_version (deploymentid) ON DELETE CASCADE,
    address      text        NOT NULL,
    port         integer     NOT NULL,
    generation   integer     NOT NULL,
    siloname     text        NOT NULL,
    hostname     text        NOT NULL,
    status       integer     NOT NULL,
    proxyport    integer     NOT NULL DEFAULT 0,
    suspecttimes text,
    starttime    timestamptz NOT NULL,
    iamalivetime timestamptz NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- A one-row, one-column answer: 1 when the cluster's version row was created, 0 when it existed.
INSERT INTO orleansquery VALUES ('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (deploymentid) VALUES (@DeploymentId)
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1)
SELECT count(*)::int FROM created
$q$);

-- Adds a silo's row only if it is new and the version is still the one the silo read; raises the version with it.
-- Taking the version row's lock first serializes concurrent changes, so the loser sees the raised version.
INSERT INTO orleansquery VALUES ('InsertMembershipKey', $q$
WITH raised AS (
    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
    WHERE deploymentid = @DeploymentId AND version = @Version
      AND NOT EXISTS (SELECT 1 FROM orleans_membership
                      WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deploymentid),
added AS (
    INSERT INTO orleans_membership (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
    SELECT raised.deploymentid, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime FROM raised
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT count(*)::int FROM added
$q$);

-- Changes a silo's status and suspicions only if the version is still the one read and the row exists.
INSERT INTO orleansquery VALUES ('UpdateMembershipKey', $q$
WITH raised AS (
    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
    WHERE deploymentid = @DeploymentId AND version = @Version
      AND EXISTS (SELECT 1 FROM orleans_membership
                  WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deploymentid),
changed AS (
    UPDATE orleans_membership m SET status = @Status, suspecttimes = @SuspectTimes, iamalivetime = @IAmAliveTime
    FROM raised
    WHERE m.deploymentid = raised.deploymentid AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1)
SELECT count(*)::int FROM changed
$q$);

-- The heartbeat: no version change, and no complaint if the row is gone.
INSERT INTO orleansquery VALUES ('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership SET iamalivetime = @IAmAliveTime
WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$);

-- Always at least one row (the version row), with the member's columns null when there is no such member.
INSERT INTO orleansquery VALUES ('MembershipReadRowKey', $q$
SELECT v.deploymentid AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.siloname AS SiloName, m.hostname AS HostName, m.status AS Status, m.proxyport AS ProxyPort,
       m.suspecttimes AS SuspectTimes, m.starttime AS StartTime, m.iamalivetime AS IAmAliveTime, v.version AS Version
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.deploymentid = v.deploymentid AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deploymentid = @DeploymentId
$q$);

INSERT INTO orleansquery VALUES ('MembershipReadAllKey', $q$
SELECT v.deploymentid AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.siloname AS SiloName, m.hostname AS HostName, m.status AS Status, m.proxyport AS ProxyPort,
       m.suspecttimes AS SuspectTimes, m.starttime AS StartTime, m.iamalivetime AS IAmAliveTime, v.version AS Version
FROM orleans_membership_version v
LEFT JOIN orleans_membership m ON m.deploymentid = v.deploymentid
WHERE v.deploymentid = @DeploymentId
$q$);

-- The member rows go with the version row (ON DELETE CASCADE).
INSERT INTO orleansquery VALUES ('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version WHERE deploymentid = @DeploymentId
$q$);

-- Active silos (status 3) that accept clients (a proxy port).
INSERT INTO orleansquery VALUES ('GatewaysQueryKey', $q$
SELECT address AS Address, proxyport AS ProxyPort, generation AS Generation
FROM orleans_membership
WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0
$q$);

-- Forgets dead silos (status 6) whose last sign of life is older than the cutoff.
INSERT INTO orleansquery VALUES ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE deploymentid = @DeploymentId AND status = 6 AND iamalivetime < @IAmAliveTime
$q$);

-- Grain state --------------------------------------------------------------------------------------------------------
-- A grain's identity is the service, the state's name (the providers send it as the "type string"), the two key
-- numbers and the key text (string keys travel in the "extension" field; other keys leave it null). The payload is
-- Herald's versioned JSON. The version is the ETag: a write or delete carrying an older one changes nothing, and the
-- provider reports the conflict.

CREATE TABLE orleans_storage (
    serviceid              text        NOT NULL,
    graintypestring        text        NOT NULL,
    grainidn0              bigint      NOT NULL,
    grainidn1              bigint      NOT NULL,
    grainidextensionstring text,
    grainidhash            integer     NOT NULL,
    graintypehash          integer     NOT NULL,
    payloadbinary          bytea,
    version                integer     NOT NULL,
    modified_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX orleans_storage_identity
    ON orleans_storage (serviceid, graintypestring, grainidn0, grainidn1, coalesce(grainidextensionstring, ''));

-- Zero or one row: the payload (null once cleared) and its version.
INSERT INTO orleansquery VALUES ('ReadFromStorageKey', $q$
SELECT payloadbinary AS PayloadBinary, version AS Version
FROM orleans_storage
WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
  AND coalesce(grainidextensionstring, '') = coalesce(@GrainIdExtensionString, '')
$q$);

-- With no version (never stored): insert, unless another activation did first. With one: update if it still holds.
-- The answer is the new version, or no row when the write was refused.
INSERT INTO orleansquery VALUES ('WriteToStorageKey', $q$
WITH changed AS (
    UPDATE orleans_storage SET payloadbinary = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
      AND serviceid = @ServiceId AND graintypestring = @GrainTypeString AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
      AND coalesce(grainidextensionstring, '') = coalesce(@GrainIdExtensionString, '')
    RETURNING version),
added AS (
    INSERT INTO orleans_storage (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring, grainidhash, graintypehash, payloadbinary, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainIdHash, @GrainTypeHash, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT version AS NewGrainStateVersion FROM changed
UNION ALL
SELECT version FROM added
$q$);

-- Clearing keeps the row, empty, with a new version (read by position: the first column).
INSERT INTO orleansquery VALUES ('ClearStorageKey', $q$
UPDATE orleans_storage SET payloadbinary = NULL, version = version + 1, modified_at = now()
WHERE version = @GrainStateVersion
  AND serviceid = @ServiceId AND graintypestring = @GrainTypeString AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
  AND coalesce(grainidextensionstring, '') = coalesce(@GrainIdExtensionString, '')
RETURNING version
$q$);

-- Deleting (storage configured to delete on clear) removes the row; the answer (first column) differs from the old version.
INSERT INTO orleansquery VALUES ('DeleteStorageKey', $q$
DELETE FROM orleans_storage
WHERE version = @GrainStateVersion
  AND serviceid = @ServiceId AND graintypestring = @GrainTypeString AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
  AND coalesce(grainidextensionstring, '') = coalesce(@GrainIdExtensionString, '')
RETURNING version + 1
$q$);

-- Reminders ----------------------------------------------------------------------------------------------------------
-- Each silo serves the reminders whose grain hash falls in its range of the ring. Periods are milliseconds.

CREATE TABLE orleans_reminders (
    serviceid    text        NOT NULL,
    grainid      text        NOT NULL,
    remindername text        NOT NULL,
    starttime    timestamptz NOT NULL,
    period       bigint      NOT NULL,
    grainhash    integer     NOT NULL,
    version      integer     NOT NULL,
    PRIMARY KEY (serviceid, grainid, remindername)
);
CREATE INDEX orleans_reminders_ring ON orleans_reminders (serviceid, grainhash);

INSERT INTO orleansquery VALUES ('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminders AS r (serviceid, grainid, remindername, starttime, period, grainhash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (serviceid, grainid, remindername)
DO UPDATE SET starttime = excluded.starttime, period = excluded.period, grainhash = excluded.grainhash, version = r.version + 1
RETURNING r.version AS Version
$q$);

INSERT INTO orleansquery VALUES ('ReadReminderRowsKey', $q$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainid = @GrainId
$q$);

INSERT INTO orleansquery VALUES ('ReadReminderRowKey', $q$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName
$q$);

-- A range of the ring that does not wrap around...
INSERT INTO orleansquery VALUES ('ReadRangeRows1Key', $q$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash
$q$);

-- ...and one that does (or the whole ring, when begin and end are equal).
INSERT INTO orleansquery VALUES ('ReadRangeRows2Key', $q$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash)
$q$);

-- One row, one column: 1 when the reminder was deleted, 0 when its version had changed (or it was gone).
INSERT INTO orleansquery VALUES ('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM orleans_reminders
    WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName AND version = @Version
    RETURNING 1)
SELECT count(*)::int FROM deleted
$q$);

INSERT INTO orleansquery VALUES ('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminders WHERE serviceid = @ServiceId
$q$);
