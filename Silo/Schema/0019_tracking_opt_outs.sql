-- Recipients who asked not to be tracked, per project: their emails go out with no pixel and no tracked
-- link, whatever the request asks. The address is kept bare and in lower case (bob@example.com).
CREATE TABLE tracking_opt_outs (
    project_id uuid        NOT NULL,
    address    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, address)
);
