-- What each open and click was: the client its user agent names, and why it was a machine's (null: a
-- person's). Decided when the event is recorded, before anything about it is truncated or dropped. Events
-- recorded before this have neither.
ALTER TABLE email_events ADD COLUMN client_name text, ADD COLUMN client_os text, ADD COLUMN client_device text, ADD COLUMN machine text;
