-- Orleans' ADO.NET providers look up the SQL they run in this table by key at start-up.
-- Each capability's migration adds its own rows.
CREATE TABLE orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text NOT NULL
);
