-- API keys get an id, a name and a permission, and remember when they were last used. Existing keys keep
-- full access and are named after their project.
ALTER TABLE api_keys
    ADD COLUMN id uuid,
    ADD COLUMN name text,
    ADD COLUMN permission text NOT NULL DEFAULT 'full_access' CHECK (permission IN ('full_access', 'sending_access')),
    ADD COLUMN last_used_at timestamptz;
UPDATE api_keys k SET id = gen_random_uuid(), name = p.name FROM projects p WHERE p.id = k.project_id;
ALTER TABLE api_keys ALTER COLUMN id SET NOT NULL, ALTER COLUMN name SET NOT NULL;
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);
