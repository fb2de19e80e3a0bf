-- Cluster membership for Microsoft.Orleans.Clustering.AdoNet (Orleans:Membership=postgres).
-- The provider passes @DeploymentId (the cluster id), a silo's @Address, @Port and @Generation, its @SiloName,
-- @HostName, @Status (3 active, 6 dead), @ProxyPort (its gateway port, 0 for none), @StartTime, @IAmAliveTime,
-- @SuspectTimes ("address,time|..." or null) and @Version, the table version it last read. Every change of
-- membership must move that version on by one, and fail when someone else moved it first.
CREATE TABLE orleans_membership_version (
    deployment_id text PRIMARY KEY,
    version       integer NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orleans_membership (
    deployment_id   text NOT NULL REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE,
    address         text NOT NULL,
    port            integer NOT NULL,
    generation      integer NOT NULL,
    silo_name       text NOT NULL,
    host_name       text NOT NULL,
    status          integer NOT NULL,
    proxy_port      integer NOT NULL DEFAULT 0,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- A change of membership: the version row is locked and checked first, so a stale writer changes nothing;
-- the version moves on only when the member row was written.
CREATE FUNCTION orleans_insert_member(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_silo_name text, p_host_name text,
    p_status integer, p_proxy_port integer, p_start_time timestamptz, p_alive timestamptz, p_version integer)
RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM 1 FROM orleans_membership_version WHERE deployment_id = p_deployment AND version = p_version FOR UPDATE;
    IF NOT FOUND THEN RETURN false; END IF;
    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                    proxy_port, start_time, i_am_alive_time)
    VALUES (p_deployment, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
            coalesce(p_proxy_port, 0), p_start_time, p_alive)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN RETURN false; END IF;
    UPDATE orleans_membership_version SET version = version + 1, changed_at = now() WHERE deployment_id = p_deployment;
    RETURN true;
END
$f$;

CREATE FUNCTION orleans_update_member(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_alive timestamptz, p_version integer)
RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM 1 FROM orleans_membership_version WHERE deployment_id = p_deployment AND version = p_version FOR UPDATE;
    IF NOT FOUND THEN RETURN false; END IF;
    UPDATE orleans_membership SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_alive
    WHERE deployment_id = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN RETURN false; END IF;
    UPDATE orleans_membership_version SET version = version + 1, changed_at = now() WHERE deployment_id = p_deployment;
    RETURN true;
END
$f$;

-- One boolean: whether the version row was made now.
INSERT INTO orleansquery (querykey, querytext) VALUES ('InsertMembershipVersionKey', $q$
WITH made AS (
    INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId::text)
    ON CONFLICT DO NOTHING RETURNING 1)
SELECT EXISTS (SELECT 1 FROM made)
$q$);

INSERT INTO orleansquery (querykey, querytext) VALUES ('InsertMembershipKey', $q$
SELECT orleans_insert_member(@DeploymentId::text, @Address::text, @Port::integer, @Generation::integer,
    @SiloName::text, @HostName::text, @Status::integer, @ProxyPort::integer, @StartTime::timestamptz,
    @IAmAliveTime::timestamptz, @Version::integer)
$q$);

INSERT INTO orleansquery (querykey, querytext) VALUES ('UpdateMembershipKey', $q$
SELECT orleans_update_member(@DeploymentId::text, @Address::text, @Port::integer, @Generation::integer,
    @Status::integer, @SuspectTimes::text, @IAmAliveTime::timestamptz, @Version::integer)
$q$);

-- A heartbeat: not a change of membership, so the version stays.
INSERT INTO orleansquery (querykey, querytext) VALUES ('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership SET i_am_alive_time = @IAmAliveTime::timestamptz
WHERE deployment_id = @DeploymentId::text AND address = @Address::text AND port = @Port::integer
  AND generation = @Generation::integer
$q$);

-- Reads: the version row always, joined with the member rows asked for (all when no silo is named; none
-- yields one row of nulls and the version). The provider reads the columns by these names.
CREATE FUNCTION orleans_members(p_deployment text, p_address text, p_port integer, p_generation integer)
RETURNS TABLE ("DeploymentId" text, "Address" text, "Port" integer, "Generation" integer, "SiloName" text,
               "HostName" text, "Status" integer, "ProxyPort" integer, "SuspectTimes" text,
               "StartTime" timestamptz, "IAmAliveTime" timestamptz, "Version" integer)
LANGUAGE sql STABLE AS $f$
    SELECT v.deployment_id, m.address, m.port, m.generation, m.silo_name, m.host_name, m.status, m.proxy_port,
           m.suspect_times, m.start_time, m.i_am_alive_time, v.version
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
        AND (p_address IS NULL OR (m.address = p_address AND m.port = p_port AND m.generation = p_generation))
    WHERE v.deployment_id = p_deployment
$f$;

INSERT INTO orleansquery (querykey, querytext) VALUES ('MembershipReadAllKey', $q$
SELECT * FROM orleans_members(@DeploymentId::text, NULL, NULL, NULL)
$q$);

INSERT INTO orleansquery (querykey, querytext) VALUES ('MembershipReadRowKey', $q$
SELECT * FROM orleans_members(@DeploymentId::text, @Address::text, @Port::integer, @Generation::integer)
$q$);

-- Gateways for clients: silos with this status (active) that listen for clients.
INSERT INTO orleansquery (querykey, querytext) VALUES ('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_membership
WHERE deployment_id = @DeploymentId::text AND status = @Status::integer AND proxy_port > 0
$q$);

-- The whole cluster's rows (its members go with the version row).
INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId::text
$q$);

-- Clean-up of dead silos' rows: those last alive before the given time, or one row exactly as it was read.
INSERT INTO orleansquery (querykey, querytext) VALUES ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId::text AND status = 6 AND i_am_alive_time < @IAmAliveTime::timestamptz
$q$);

INSERT INTO orleansquery (querykey, querytext) VALUES ('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId::text AND status = 6
  AND address = @Address::text AND port = @Port::integer AND generation = @Generation::integer
  AND start_time = @StartTime::timestamptz AND i_am_alive_time = @IAmAliveTime::timestamptz
  AND suspect_times IS NOT DISTINCT FROM @SuspectTimes::text
$q$);
