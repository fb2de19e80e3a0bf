-- An email made under an Idempotency-Key keeps a SHA-256 of the request that made it, so that a retry of
-- the same request gets that email back and another request with the same key is refused.
ALTER TABLE emails ADD COLUMN request_hash bytea;
