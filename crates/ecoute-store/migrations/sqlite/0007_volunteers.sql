-- The coordinator role and the volunteer pipeline, kept in step with
-- migrations/postgres/0007_volunteers.sql.

-- Coordinators move applications through the pipeline, and read nothing of the conversations.
-- The CHECK is only widened, as in 0005 (see there why this edit is sound).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (role IN (''listener'', ''supervisor'', ''admin'', ''communication''))',
                          'CHECK (role IN (''listener'', ''supervisor'', ''admin'', ''communication'', ''coordinator''))')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = OFF;

-- Applications to become a listener. The candidate's personal data is NULL once erased (on
-- request, or after the retention period when they left without becoming a listener): what
-- remains is anonymous — campaign, dates, stages reached — for the pipeline's conversion.
CREATE TABLE volunteer_applications (
    id                TEXT    PRIMARY KEY,
    received_at       INTEGER NOT NULL,
    campaign          TEXT,
    stage             TEXT    NOT NULL,
    stage_since       INTEGER NOT NULL,
    furthest          TEXT    NOT NULL,
    training_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (training_minutes >= 0),
    name              TEXT,
    email             TEXT,
    phone             TEXT,
    city              TEXT,
    availability      TEXT,
    motivation        TEXT,
    erased_at         INTEGER,
    -- The listener account the candidate became, once active.
    user_id           INTEGER REFERENCES users (id),
    CHECK ((erased_at IS NULL) = (name IS NOT NULL))
);
CREATE INDEX volunteer_applications_stage ON volunteer_applications (stage, stage_since);

-- What happened to each application: moves, notes (about the applicant, never about a
-- caller; erased with the personal data), training time.
CREATE TABLE volunteer_events (
    application_id  TEXT    NOT NULL REFERENCES volunteer_applications (id),
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    at              INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('moved', 'note', 'training')),
    stage           TEXT,
    minutes         INTEGER,
    note            TEXT,
    PRIMARY KEY (application_id, seq)
);

-- Every read of candidates' personal data: who, when, which application (NULL: the list).
CREATE TABLE personal_data_reads (
    at              INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    application_id  TEXT,
    action          TEXT    NOT NULL CHECK (action IN ('list', 'read', 'erase'))
);
CREATE INDEX personal_data_reads_by_application ON personal_data_reads (application_id, at);

-- One-time links that let a new listener set their password (only the token's hash).
CREATE TABLE account_setups (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX account_setups_by_user ON account_setups (user_id);
