-- Opens and clicks by the client that made them (name, os, device; see email_events.client_*), by hour and
-- scope as in metric_hours, with people's apart from machines'. Events recorded before classification
-- count as the unknown client.
CREATE TABLE metric_client_hours (
    project_id   uuid    NOT NULL,
    scope        text    NOT NULL,
    hour         bigint  NOT NULL,
    name         text    NOT NULL,
    os           text    NOT NULL,
    device       text    NOT NULL,
    opens        integer NOT NULL DEFAULT 0,
    human_opens  integer NOT NULL DEFAULT 0,
    clicks       integer NOT NULL DEFAULT 0,
    human_clicks integer NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, scope, hour, name, os, device)
);
