-- The communication role and the campaign page's stories, kept in step with
-- migrations/postgres/0005_stories.sql.

-- A role that edits the campaign page and the campaigns, and never reads a conversation.
-- SQLite cannot alter a CHECK constraint, and rebuilding `users` inside the migration's
-- transaction would fire the ON DELETE actions of the tables that reference it (foreign keys
-- cannot be switched off inside a transaction). The CHECK is only widened, so every stored
-- row still satisfies it: SQLite documents this edit of the stored definition for changes
-- that leave the stored rows as they are (ALTER TABLE, "other kinds of table schema
-- changes"). The CREATE TABLE below then bumps the schema version, so that every connection
-- reads the new definition.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (role IN (''listener'', ''supervisor'', ''admin''))',
                          'CHECK (role IN (''listener'', ''supervisor'', ''admin'', ''communication''))')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = OFF;

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
    updated_at  INTEGER  NOT NULL
);
