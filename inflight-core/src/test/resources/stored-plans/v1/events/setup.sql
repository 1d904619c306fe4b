CREATE TABLE accounts (id integer PRIMARY KEY) WITH (autovacuum_enabled = false);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id integer, kind text) WITH (autovacuum_enabled = false);
CREATE MATERIALIZED VIEW event_counts AS SELECT kind, count(*) AS n FROM events GROUP BY kind;
INSERT INTO accounts SELECT g FROM generate_series(1, 10) g;
INSERT INTO events (account_id, kind) SELECT 1 + g % 10, CASE WHEN g % 4 = 0 THEN 'login' ELSE 'view' END FROM generate_series(1, 150) g;
REFRESH MATERIALIZED VIEW event_counts;
