-- Each event remembers the transaction that wrote it. A reader that takes only events of transactions older
-- than every one still running, in (txid, seq) order, never skips one that commits late: the live stream.
-- Events written before this have none, and are history to the stream.
ALTER TABLE email_events ADD COLUMN txid xid8;
ALTER TABLE email_events ALTER COLUMN txid SET DEFAULT pg_current_xact_id();
CREATE INDEX email_events_stream ON email_events (project_id, txid, seq) WHERE txid IS NOT NULL;
