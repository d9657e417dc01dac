-- ecoute's first schema (SQLite). Times are INTEGER milliseconds since the epoch; contact ids
-- are UUIDs as lowercase hyphenated TEXT. Nothing here can identify a person who reaches
-- out: no IP address, no user agent, no name, no number.

-- Listening centres ("postes d'écoute"). Every install has the default one.
CREATE TABLE centres (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
INSERT INTO centres (id, name, created_at) VALUES (1, 'Centre principal', 0);

-- Staff accounts. Never deleted (disabled instead), so ids stay meaningful in statistics.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE,
    pseudonym      TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('listener', 'supervisor', 'admin')),
    password_hash  TEXT    NOT NULL,
    centre_id      INTEGER NOT NULL REFERENCES centres (id),
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     INTEGER NOT NULL
);

-- Staff login sessions: only the SHA-256 of the token is kept.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Contacts: the queue and the life of each conversation.
CREATE TABLE contacts (
    id                 TEXT    PRIMARY KEY,
    centre_id          INTEGER NOT NULL REFERENCES centres (id),
    channel            TEXT    NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('waiting', 'active', 'ended')),
    -- Current listener while active; the last one who answered afterwards (for the sheet).
    listener_id        INTEGER REFERENCES users (id),
    priority           INTEGER NOT NULL DEFAULT 0,
    -- Came back to the queue after losing its listener ("returning" is an SQL keyword).
    is_returning       INTEGER NOT NULL DEFAULT 0 CHECK (is_returning IN (0, 1)),
    created_at         INTEGER NOT NULL,
    queued_at          INTEGER NOT NULL,
    answered_at        INTEGER,
    ended_at           INTEGER,
    wait_seconds       INTEGER,
    end_reason         TEXT,
    last_seq           INTEGER NOT NULL DEFAULT 0,
    -- SHA-256 of the person's resume token; cleared when the conversation's text is purged.
    resume_hash        TEXT    UNIQUE,
    person_conn        INTEGER,
    person_away_since  INTEGER,
    CHECK ((state = 'ended') = (end_reason IS NOT NULL AND ended_at IS NOT NULL)),
    CHECK (state <> 'active' OR (listener_id IS NOT NULL AND answered_at IS NOT NULL))
);
-- "Next": the head of one centre's queue, in the domain's serve order.
CREATE INDEX contacts_queue ON contacts (centre_id, priority DESC, is_returning DESC, queued_at, id)
    WHERE state = 'waiting';
-- Capacity and the listener's workspace.
CREATE INDEX contacts_active_by_listener ON contacts (listener_id) WHERE state = 'active';
-- Purge, recent talk times and pending sheets all look at ended contacts by end time.
CREATE INDEX contacts_ended ON contacts (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX contacts_ended_by_listener ON contacts (listener_id, ended_at) WHERE state = 'ended';
CREATE INDEX contacts_person_away ON contacts (person_away_since)
    WHERE person_away_since IS NOT NULL;

-- Messages: deleted by the purge once their conversation is over and the grace period passed.
CREATE TABLE messages (
    contact_id  TEXT    NOT NULL REFERENCES contacts (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    author      TEXT    NOT NULL CHECK (author IN ('person', 'listener')),
    client_id   TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (contact_id, seq),
    UNIQUE (contact_id, client_id)
);

-- Listeners' presence and the connection that carries their workspace.
CREATE TABLE listener_presence (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    presence    TEXT    NOT NULL CHECK (presence IN ('available', 'pause', 'offline')),
    conn        INTEGER,
    away_since  INTEGER,
    -- When the presence was last set (NULL: never, the listener only connected).
    changed_at  INTEGER
);
CREATE INDEX listener_presence_away ON listener_presence (away_since)
    WHERE away_since IS NOT NULL;

-- Anonymous statistics sheets: what remains of a conversation after the purge.
CREATE TABLE stats_sheets (
    contact_id        TEXT    PRIMARY KEY REFERENCES contacts (id),
    listener_id       INTEGER NOT NULL REFERENCES users (id),
    centre_id         INTEGER NOT NULL REFERENCES centres (id),
    channel           TEXT    NOT NULL,
    duration_seconds  INTEGER NOT NULL,
    age_band          TEXT    NOT NULL,
    gender            TEXT    NOT NULL,
    contact_kind      TEXT    NOT NULL,
    risk              TEXT    NOT NULL,
    debrief_wanted    INTEGER NOT NULL CHECK (debrief_wanted IN (0, 1)),
    created_at        INTEGER NOT NULL
);
CREATE INDEX stats_sheets_by_centre_time ON stats_sheets (centre_id, created_at);

-- A sheet's themes, one row each, so that statistics can count them with GROUP BY.
CREATE TABLE stats_sheet_themes (
    contact_id  TEXT    NOT NULL REFERENCES stats_sheets (contact_id),
    position    INTEGER NOT NULL,
    theme       TEXT    NOT NULL,
    PRIMARY KEY (contact_id, position),
    UNIQUE (contact_id, theme)
);
CREATE INDEX stats_sheet_themes_by_theme ON stats_sheet_themes (theme);
