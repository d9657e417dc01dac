-- Which listener wrote each listener message, kept in step with
-- migrations/postgres/0003_message_listener.sql. After a requeue a conversation has had
-- several listeners; their pages and the person's must say who wrote what. NULL for the
-- person's messages (and for listener messages stored before this migration).
ALTER TABLE messages ADD COLUMN listener_id INTEGER REFERENCES users (id);
