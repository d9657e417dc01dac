-- The communication role and the campaign page's stories, kept in step with
-- migrations/sqlite/0005_stories.sql.

-- A role that edits the campaign page and the campaigns, and never reads a conversation.
ALTER TABLE users DROP CONSTRAINT users_role_check,
    ADD CONSTRAINT users_role_check
        CHECK (role IN ('listener', 'supervisor', 'admin', 'communication'));

-- The stories as staff edited them; a shipped story without a row here is shown as shipped.
-- One row per story, both languages: a story is published in both at once.
CREATE TABLE stories (
    story_key   TEXT     PRIMARY KEY,
    fr_name     TEXT     NOT NULL,
    fr_facade   TEXT     NOT NULL,
    fr_hidden   TEXT     NOT NULL,
    en_name     TEXT     NOT NULL,
    en_facade   TEXT     NOT NULL,
    en_hidden   TEXT     NOT NULL,
    updated_at  BIGINT   NOT NULL
);
