-- What a project keeps of a recipient's opens and clicks, decided when each is recorded (after it is
-- classified): the IP address in full, truncated (IPv4 /24, IPv6 /48) or not at all (null: the operator's
-- default, Tracking:StoreFullIpAddress), and the user agent and referer or not.
ALTER TABLE projects
    ADD COLUMN ip_storage      text CHECK (ip_storage IN ('full', 'truncated', 'none')),
    ADD COLUMN keep_user_agent boolean NOT NULL DEFAULT true,
    ADD COLUMN keep_referer    boolean NOT NULL DEFAULT true;
