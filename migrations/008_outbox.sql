-- The audit log is written in the same transaction as the change it records, so it is the wiki's
-- transactional outbox. Each consumer (notifications, webhooks and chat, the SIEM forwarder) keeps how far
-- it has read here and advances it in the same transaction as the work it derives from those events:
-- a crash either keeps both or neither, and a restart resumes where it stopped.
CREATE TABLE outbox_cursors (
  consumer TEXT PRIMARY KEY,
  last_event_id INTEGER NOT NULL
);
