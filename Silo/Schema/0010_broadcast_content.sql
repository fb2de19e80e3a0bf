-- A broadcast's tracked content is stored once, as a template with placeholders for each recipient's pixel
-- and signed links; its recipients' rows keep only what is their own (the address, the tid). Rendering a
-- copy happens when it is read or sent. Broadcasts made before this keep their rendered copies (no
-- placeholder).
ALTER TABLE broadcasts
    ADD COLUMN html        text,
    ADD COLUMN text        text,
    ADD COLUMN headers     jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN reply_to    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN links       text[] NOT NULL DEFAULT '{}',
    ADD COLUMN placeholder text;

ALTER TABLE emails ADD COLUMN tid text;

-- What an email's view shows of its attachments (filename, content type, decoded size), so that reading an
-- email never loads their content.
ALTER TABLE emails ADD COLUMN attachment_info jsonb NOT NULL DEFAULT '[]';
UPDATE emails SET attachment_info = (
    SELECT jsonb_agg(jsonb_build_object(
        'filename', a->>'filename',
        'contentType', coalesce(a->>'contentType', 'application/octet-stream'),
        'size', length(a->>'content') * 3 / 4
                - CASE WHEN right(a->>'content', 2) = '==' THEN 2 WHEN right(a->>'content', 1) = '=' THEN 1 ELSE 0 END)
        ORDER BY n)
    FROM jsonb_array_elements(attachments) WITH ORDINALITY AS x(a, n))
WHERE attachments <> '[]';

-- Every email as its readers see it: a broadcast recipient's content comes from its broadcast.
CREATE VIEW email_contents AS
SELECT e.id, e.project_id, e.broadcast_id, e.created_at, e.from_address, e.to_addresses, e.cc, e.bcc,
       CASE WHEN b.placeholder IS NULL THEN e.reply_to ELSE b.reply_to END AS reply_to,
       e.subject,
       CASE WHEN b.placeholder IS NULL THEN e.html ELSE b.html END AS html,
       CASE WHEN b.placeholder IS NULL THEN e.text ELSE b.text END AS text,
       CASE WHEN b.placeholder IS NULL THEN e.headers ELSE b.headers END AS headers,
       CASE WHEN b.placeholder IS NULL THEN e.tags ELSE b.tags END AS tags,
       e.attachments, e.attachment_info, e.track_open, e.track_click,
       CASE WHEN b.placeholder IS NULL THEN e.links ELSE b.links END AS links,
       e.message_id, e.status, e.attempts, e.last_error, e.smtp_response, e.sent_at, e.tid, b.placeholder
FROM emails e LEFT JOIN broadcasts b ON b.id = e.broadcast_id;
