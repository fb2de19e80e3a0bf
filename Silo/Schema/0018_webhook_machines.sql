-- Whether an endpoint is sent the opens and clicks that machines made (email_events.machine): by default it is.
ALTER TABLE webhooks ADD COLUMN include_machine boolean NOT NULL DEFAULT true;
