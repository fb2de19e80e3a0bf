-- How long a project keeps its events, and, apart, its emails' bodies and attachments (days). The purge
-- deletes older ones in batches; every figure and every email's counts are kept (see RetentionPurge).
ALTER TABLE projects
    ADD COLUMN retention_days         integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650),
    ADD COLUMN content_retention_days integer NOT NULL DEFAULT 90 CHECK (content_retention_days BETWEEN 1 AND 3650);
CREATE INDEX emails_project_created_content ON emails (project_id, created_at) WHERE html IS NOT NULL OR text IS NOT NULL;
