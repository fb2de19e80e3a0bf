-- Click-signing keys, sealed with the secrets key (TRACKING_SECRETS_KEY). The newest signs new links; every
-- one still verifies, so links signed before a rotation keep working. The silo moves the key it used to keep
-- in server_secrets here, sealed, at its next start.
CREATE TABLE signing_keys (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sealed_key bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
