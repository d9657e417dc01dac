-- Running ecoute instances and their last sign of life, kept in step with
-- migrations/sqlite/0002_instances.sql. Connection ids carry their instance (conn >> 32), so
-- when an instance stops heartbeating (killed, host lost) its connections are treated as
-- closed at its last heartbeat: the sockets of a killed process never close cleanly.
-- Runtime state only: not copied by copy-data.
CREATE TABLE instances (
    id            BIGINT PRIMARY KEY,
    heartbeat_at  BIGINT NOT NULL
);
