-- Anonymous written messaging, kept in step with migrations/sqlite/0006_written.sql.
-- A thread is found only by the keyed slow hash of its retrieval code: nothing here says who
-- wrote it. Threads without activity are deleted whole (messages and drafts with them).
CREATE TABLE written_threads (
    id             UUID    PRIMARY KEY,
    code_hash      TEXT    NOT NULL UNIQUE,
    centre_id      BIGINT  NOT NULL REFERENCES centres (id),
    created_at     BIGINT  NOT NULL,
    -- The last message or draft of either side: the purge counts inactivity from here.
    last_activity  BIGINT  NOT NULL,
    -- Since when the person's oldest unanswered message waits (NULL: answered).
    waiting_since  BIGINT,
    priority       INTEGER NOT NULL DEFAULT 0,
    -- The listener writing to it, since and until when (a lapsed claim frees it).
    claimed_by     BIGINT  REFERENCES users (id),
    claimed_until  BIGINT,
    claimed_at     BIGINT,
    last_seq       BIGINT  NOT NULL DEFAULT 0,
    CHECK ((claimed_by IS NULL) = (claimed_until IS NULL)),
    CHECK ((claimed_by IS NULL) = (claimed_at IS NULL))
);
-- The inbox: threads waiting for a reply, by priority then the longest waiting.
CREATE INDEX written_threads_inbox ON written_threads (centre_id, priority DESC, waiting_since, id)
    WHERE waiting_since IS NOT NULL;
CREATE INDEX written_threads_activity ON written_threads (last_activity);

CREATE TABLE written_messages (
    thread_id    UUID    NOT NULL REFERENCES written_threads (id) ON DELETE CASCADE,
    seq          BIGINT  NOT NULL CHECK (seq >= 1),
    author       TEXT    NOT NULL CHECK (author IN ('person', 'listener')),
    client_id    TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    at           BIGINT  NOT NULL,
    listener_id  BIGINT  REFERENCES users (id),
    PRIMARY KEY (thread_id, seq),
    UNIQUE (thread_id, client_id)
);

-- A listener's reply being written, one per listener and thread.
CREATE TABLE written_drafts (
    thread_id    UUID    NOT NULL REFERENCES written_threads (id) ON DELETE CASCADE,
    listener_id  BIGINT  NOT NULL REFERENCES users (id),
    body         TEXT    NOT NULL,
    saved_at     BIGINT  NOT NULL,
    PRIMARY KEY (thread_id, listener_id)
);
