CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, status text NOT NULL DEFAULT 'active', last_login timestamptz, flag integer NOT NULL DEFAULT 0, nickname text) WITH (autovacuum_enabled = false);
CREATE INDEX users_name_idx ON users (name);
COMMENT ON TABLE users IS 'people who sign in';
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id)) WITH (autovacuum_enabled = false);
CREATE VIEW active_users AS SELECT id, name FROM users WHERE status = 'active';
GRANT SELECT ON users TO PUBLIC;
INSERT INTO users (name, status, last_login, flag, nickname) SELECT 'user' || g, CASE WHEN g % 3 = 0 THEN 'inactive' ELSE 'active' END, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', g % 2, CASE WHEN g % 5 = 0 THEN 'nick' || g END FROM generate_series(1, 200) g;
INSERT INTO orders SELECT g, g FROM generate_series(1, 50) g;
