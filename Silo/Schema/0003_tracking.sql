CREATE TABLE projects (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 of each key is kept; key_hint (its first characters) helps people tell keys apart.
CREATE TABLE api_keys (
    key_hash   bytea PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id),
    key_hint   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_keys_project ON api_keys (project_id);

-- Every open and click. seq orders an email's events, so its grain can fold in what its last snapshot missed.
CREATE TABLE email_events (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         uuid NOT NULL UNIQUE,
    email_id   uuid NOT NULL,
    project_id uuid NOT NULL,
    type       text NOT NULL,
    created_at timestamptz NOT NULL,
    ip_address text,
    user_agent text,
    referer    text,
    link       text
);
CREATE INDEX email_events_email ON email_events (email_id, seq);
CREATE INDEX email_events_project_time ON email_events (project_id, created_at);

-- Server secrets that must be the same on every silo and survive restarts (the click signing key).
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
