-- Grain state for Microsoft.Orleans.Persistence.AdoNet.
-- The provider passes @ServiceId, @GrainTypeString (the state name), @GrainIdN0/@GrainIdN1 (Guid and integer
-- keys), @GrainIdExtensionString (string keys and key extensions), @GrainStateVersion (the ETag, null before
-- the first write) and @PayloadBinary. It also passes hashes of the id and type, which a real primary key
-- makes unnecessary here.
CREATE TABLE orleans_storage (
    service_id    text    NOT NULL,
    state_name    text    NOT NULL,
    grain_id_n0   bigint  NOT NULL,
    grain_id_n1   bigint  NOT NULL,
    grain_id_ext  text    NOT NULL DEFAULT '',
    payload       bytea,
    version       integer NOT NULL,
    modified_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_ext)
);

-- Read: zero or one row with PayloadBinary and Version.
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM orleans_storage
WHERE service_id = @ServiceId AND state_name = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_ext = coalesce(@GrainIdExtensionString::text, '')
$q$);

-- Write: optimistic concurrency on version. Always one row, NewGrainStateVersion: the new version on success;
-- on a conflict the caller's own version (or null), which the provider reports as InconsistentStateException.
INSERT INTO orleansquery (querykey, querytext) VALUES ('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE orleans_storage
    SET payload = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE service_id = @ServiceId AND state_name = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_ext = coalesce(@GrainIdExtensionString::text, '')
      AND version = @GrainStateVersion::integer
    RETURNING version
), inserted AS (
    INSERT INTO orleans_storage (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString::text, ''), @PayloadBinary, 1
    WHERE @GrainStateVersion::integer IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT coalesce((SELECT version FROM updated), (SELECT version FROM inserted), @GrainStateVersion::integer) AS "NewGrainStateVersion"
$q$);

-- Clear: keeps the row with no payload and a new version, so a later write by a stale activation still conflicts.
INSERT INTO orleansquery (querykey, querytext) VALUES ('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE orleans_storage
    SET payload = NULL, version = version + 1, modified_at = now()
    WHERE service_id = @ServiceId AND state_name = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_ext = coalesce(@GrainIdExtensionString::text, '')
      AND version = @GrainStateVersion::integer
    RETURNING version
)
SELECT coalesce((SELECT version FROM cleared), @GrainStateVersion::integer) AS "NewGrainStateVersion"
$q$);
