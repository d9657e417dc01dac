-- Live supervision: alerts that call a supervisor, supervisors' private notes to a
-- listener, and the audit of conversation reads.

-- A call for a supervisor about a conversation; open while resolved_at is NULL. At most one
-- open alert of each kind per conversation. listener_id is NULL for a risk alert raised by
-- triage while the person waits.
CREATE TABLE alerts (
    id           TEXT    PRIMARY KEY,
    centre_id    INTEGER NOT NULL REFERENCES centres (id),
    contact_id   TEXT    NOT NULL REFERENCES contacts (id),
    listener_id  INTEGER REFERENCES users (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('help', 'debrief', 'risk')),
    raised_at    INTEGER NOT NULL,
    resolved_by  INTEGER REFERENCES users (id),
    resolved_at  INTEGER
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (contact_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX alerts_open_by_centre ON alerts (centre_id, raised_at) WHERE resolved_at IS NULL;

-- A supervisor's private note to a conversation's listener; text, so purged with the
-- conversation's messages.
CREATE TABLE whispers (
    contact_id  TEXT    NOT NULL REFERENCES contacts (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    from_id     INTEGER NOT NULL REFERENCES users (id),
    body        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (contact_id, seq)
);

-- Every read of a conversation by someone other than its listener: who, which, when.
CREATE TABLE conversation_reads (
    at          INTEGER NOT NULL,
    reader_id   INTEGER NOT NULL REFERENCES users (id),
    contact_id  TEXT    NOT NULL
);
CREATE INDEX conversation_reads_by_time ON conversation_reads (at);

-- What the risk triage made of a waiting person's words (the highest level seen): the level,
-- the scorer's version, and the words that triggered it, which are conversation text, so
-- purged with the messages.
CREATE TABLE triage_scores (
    contact_id  TEXT    PRIMARY KEY REFERENCES contacts (id),
    version     TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    other       TEXT    NOT NULL,
    triggers    TEXT    NOT NULL,
    at          INTEGER NOT NULL
);

-- Priorities a supervisor changed by hand: who, which waiting contact, from what to what.
CREATE TABLE priority_changes (
    at             INTEGER NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    contact_id     TEXT    NOT NULL,
    from_priority  INTEGER NOT NULL,
    to_priority    INTEGER NOT NULL
);
CREATE INDEX priority_changes_by_time ON priority_changes (at);
