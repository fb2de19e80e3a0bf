-- A project's tracking defaults: what an email or a broadcast gets when its request does not say
-- (tracking.open, click, click_text, trap_link).
ALTER TABLE projects
    ADD COLUMN track_open      boolean NOT NULL DEFAULT true,
    ADD COLUMN track_click     boolean NOT NULL DEFAULT true,
    ADD COLUMN track_text      boolean NOT NULL DEFAULT true,
    ADD COLUMN track_trap_link boolean NOT NULL DEFAULT false;
