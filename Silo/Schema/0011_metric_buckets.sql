-- A project's figures by hour, for each scope: '' (the whole project), 'tag:name:value' or 'broadcast:id'.
-- The metrics grain adds what it has counted since its last save and moves its cursor in one transaction,
-- so every event is counted once and a save writes only the hours that changed.
CREATE TABLE metric_hours (
    project_id    uuid   NOT NULL,
    scope         text   NOT NULL,
    hour          bigint NOT NULL, -- Unix hour: seconds / 3600
    sent          integer NOT NULL DEFAULT 0,
    stored_sent   integer NOT NULL DEFAULT 0, -- sent while no relay was configured: these count as delivered
    delivered     integer NOT NULL DEFAULT 0,
    failed        integer NOT NULL DEFAULT 0,
    opens         integer NOT NULL DEFAULT 0,
    unique_opens  integer NOT NULL DEFAULT 0, -- emails whose first open fell in this hour
    clicks        integer NOT NULL DEFAULT 0,
    unique_clicks integer NOT NULL DEFAULT 0, -- emails whose first click fell in this hour
    PRIMARY KEY (project_id, scope, hour)
);

-- Clicks per link and hour; a link is keyed by its hash, as URLs can outgrow an index entry.
CREATE TABLE metric_link_hours (
    project_id    uuid   NOT NULL,
    scope         text   NOT NULL,
    hour          bigint NOT NULL,
    url_hash      bytea  NOT NULL,
    url           text   NOT NULL,
    clicks        integer NOT NULL DEFAULT 0,
    unique_clicks integer NOT NULL DEFAULT 0, -- emails whose first click on this link fell in the hour
    PRIMARY KEY (project_id, scope, hour, url_hash)
);

-- How far each project's figures have read the event log: every event up to settled_seq is counted, and so
-- is each one in recent (sequence number -> when it was read), watched until nothing below it can commit.
-- A project without a row is counted from the start of its log.
CREATE TABLE metric_cursors (
    project_id  uuid PRIMARY KEY,
    settled_seq bigint NOT NULL,
    recent      jsonb  NOT NULL DEFAULT '{}'
);
