-- Claims look at each endpoint's own due deliveries and its own in-flight count, so a claim costs
-- a few index probes per endpoint instead of a scan of every pending delivery.
CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries (webhook_id, next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_endpoint_sending ON webhook_deliveries (webhook_id)
    WHERE status = 'sending';
