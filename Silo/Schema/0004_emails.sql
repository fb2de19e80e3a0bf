-- The accepted email and its delivery: the record an email grain loads, and the outbox the delivery
-- worker drains. Opens and clicks stay in email_events and the grain's snapshot.
CREATE TABLE broadcasts (
    id         uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id),
    created_at timestamptz NOT NULL,
    from_address text NOT NULL,
    subject    text NOT NULL,
    tags       jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX broadcasts_project ON broadcasts (project_id, created_at DESC);

CREATE TABLE emails (
    id            uuid PRIMARY KEY,
    project_id    uuid NOT NULL REFERENCES projects (id),
    broadcast_id  uuid REFERENCES broadcasts (id),
    created_at    timestamptz NOT NULL,
    from_address  text NOT NULL,
    to_addresses  text[] NOT NULL,
    cc            text[] NOT NULL DEFAULT '{}',
    bcc           text[] NOT NULL DEFAULT '{}',
    reply_to      text[] NOT NULL DEFAULT '{}',
    subject       text NOT NULL,
    html          text,
    text          text,
    headers       jsonb NOT NULL DEFAULT '{}',
    tags          jsonb NOT NULL DEFAULT '[]',
    attachments   jsonb NOT NULL DEFAULT '[]',
    track_open    boolean NOT NULL,
    track_click   boolean NOT NULL,
    links         text[] NOT NULL DEFAULT '{}',
    message_id    text NOT NULL,
    -- stored (no relay configured) | queued | sending | sent | failed
    status        text NOT NULL,
    attempts      integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    locked_until  timestamptz,
    last_error    text,
    smtp_response text,
    sent_at       timestamptz
);
CREATE INDEX emails_project_created ON emails (project_id, created_at DESC, id DESC);
CREATE INDEX emails_broadcast ON emails (broadcast_id) WHERE broadcast_id IS NOT NULL;
CREATE INDEX emails_outbox ON emails (next_attempt_at) WHERE status IN ('queued', 'sending');
