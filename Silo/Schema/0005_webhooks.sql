-- Webhook endpoints and their deliveries. A delivery row is the durable promise that an event reaches an
-- endpoint: it is written (idempotently, one per endpoint and event) before any attempt is made.
CREATE TABLE webhooks (
    id            uuid PRIMARY KEY,
    project_id    uuid NOT NULL REFERENCES projects (id),
    url           text NOT NULL,
    events        text[] NOT NULL,
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- The signing key (raw bytes of the whsec_ secret); the previous one still signs until it expires.
    secret        bytea NOT NULL,
    previous_secret bytea,
    previous_secret_expires_at timestamptz,
    failing_since timestamptz,
    disabled_reason text,
    deleted_at    timestamptz
);
CREATE INDEX webhooks_project ON webhooks (project_id) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    webhook_id      uuid NOT NULL REFERENCES webhooks (id),
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    payload         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- pending | sending | delivered | failed
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    locked_until    timestamptz,
    last_status_code integer,
    last_error      text,
    delivered_at    timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at DESC);

-- How far the sweep has fanned events out to webhooks (one row).
CREATE TABLE webhook_sweep (
    id       integer PRIMARY KEY CHECK (id = 1),
    last_seq bigint NOT NULL
);
INSERT INTO webhook_sweep (id, last_seq) VALUES (1, 0);
