-- The coordinator role and the volunteer pipeline, kept in step with
-- migrations/sqlite/0007_volunteers.sql.

-- Coordinators move applications through the pipeline, and read nothing of the conversations.
ALTER TABLE users DROP CONSTRAINT users_role_check,
    ADD CONSTRAINT users_role_check
        CHECK (role IN ('listener', 'supervisor', 'admin', 'communication', 'coordinator'));

-- Applications to become a listener. The candidate's personal data is NULL once erased (on
-- request, or after the retention period when they left without becoming a listener): what
-- remains is anonymous — campaign, dates, stages reached — for the pipeline's conversion.
CREATE TABLE volunteer_applications (
    id                UUID    PRIMARY KEY,
    received_at       BIGINT  NOT NULL,
    campaign          TEXT,
    stage             TEXT    NOT NULL,
    stage_since       BIGINT  NOT NULL,
    furthest          TEXT    NOT NULL,
    training_minutes  BIGINT  NOT NULL DEFAULT 0 CHECK (training_minutes >= 0),
    name              TEXT,
    email             TEXT,
    phone             TEXT,
    city              TEXT,
    availability      TEXT,
    motivation        TEXT,
    erased_at         BIGINT,
    -- The listener account the candidate became, once active.
    user_id           BIGINT  REFERENCES users (id),
    CHECK ((erased_at IS NULL) = (name IS NOT NULL))
);
CREATE INDEX volunteer_applications_stage ON volunteer_applications (stage, stage_since);

-- What happened to each application: moves, notes (about the applicant, never about a
-- caller; erased with the personal data), training time.
CREATE TABLE volunteer_events (
    application_id  UUID    NOT NULL REFERENCES volunteer_applications (id),
    seq             BIGINT  NOT NULL CHECK (seq >= 1),
    at              BIGINT  NOT NULL,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('moved', 'note', 'training')),
    stage           TEXT,
    minutes         BIGINT,
    note            TEXT,
    PRIMARY KEY (application_id, seq)
);

-- Every read of candidates' personal data: who, when, which application (NULL: the list).
CREATE TABLE personal_data_reads (
    at              BIGINT  NOT NULL,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    application_id  UUID,
    action          TEXT    NOT NULL CHECK (action IN ('list', 'read', 'erase'))
);
CREATE INDEX personal_data_reads_by_application ON personal_data_reads (application_id, at);

-- One-time links that let a new listener set their password (only the token's hash).
CREATE TABLE account_setups (
    token_hash  TEXT    PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_setups_by_user ON account_setups (user_id);
