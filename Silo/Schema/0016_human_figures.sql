-- The figures of people apart from machines': emails whose first open (click) by a person fell in the hour,
-- and machine opens and clicks by reason (see email_events.machine). Events recorded before classification
-- are a person's, so the hours counted so far have the same unique figures for people as in all.
ALTER TABLE metric_hours
    ADD COLUMN unique_human_opens  integer NOT NULL DEFAULT 0,
    ADD COLUMN unique_human_clicks integer NOT NULL DEFAULT 0,
    ADD COLUMN apple_privacy_opens integer NOT NULL DEFAULT 0, -- machine = apple_privacy_proxy
    ADD COLUMN prefetch_opens      integer NOT NULL DEFAULT 0, -- machine = prefetch
    ADD COLUMN scanner_clicks      integer NOT NULL DEFAULT 0; -- machine = link_scanner
UPDATE metric_hours SET unique_human_opens = unique_opens, unique_human_clicks = unique_clicks;
