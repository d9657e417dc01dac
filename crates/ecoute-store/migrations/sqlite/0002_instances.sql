-- Running ecoute instances and their last sign of life. Connection ids carry their instance
-- (conn >> 32), so when an instance stops heartbeating (killed, host lost) its connections are
-- treated as closed at its last heartbeat: the sockets of a killed process never close
-- cleanly. Runtime state only: not copied by copy-data.
CREATE TABLE instances (
    id            INTEGER PRIMARY KEY,
    heartbeat_at  INTEGER NOT NULL
);
