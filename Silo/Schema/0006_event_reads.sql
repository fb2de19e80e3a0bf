-- Reading a project's events newest first (Events API), optionally by type, and in order (metrics).
CREATE INDEX email_events_project_seq ON email_events (project_id, seq);
CREATE INDEX email_events_project_type_seq ON email_events (project_id, type, seq);
