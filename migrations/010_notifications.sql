-- Notifications for the team loop: what people watch, their inbox, how they want each kind delivered,
-- and the mails waiting to be sent. The 'notifications' consumer of the audit log (see 008) writes inbox
-- rows and queued mails in the same transaction that advances its cursor; a sender delivers the mails
-- afterwards, outside any transaction, so a slow or absent mail server never holds up a save.

-- A person's explicit watches: a page (slug), a system or one module of it ("Epic" or "Epic/ClinDoc"), or
-- everything a person or team owns (their handle). Owners watch their own pages without a row here.
CREATE TABLE watches (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('page', 'system', 'owner')),
  target TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (user_id, kind, target)
);
CREATE INDEX watches_target ON watches(kind, target);

-- How each kind reaches a person: 'immediate' (inbox and a mail at once), 'digest' (inbox, and in the
-- daily digest mail) or 'off' (nothing). No row means 'immediate'.
CREATE TABLE notification_preferences (
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  delivery TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest', 'off')),
  PRIMARY KEY (user_id, kind)
);

-- The inbox. `key` makes deriving idempotent: one row per person per event (or per page, due date and
-- stage for review reminders), whatever happens to the deriving process.
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('changed', 'mentioned', 'reply', 'flagged', 'review', 'departed', 'approval')),
  event_id INTEGER,
  slug TEXT,
  actor TEXT,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  link TEXT NOT NULL,
  delivery TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest')),
  created_at TEXT NOT NULL,
  read_at TEXT,
  -- The mail that carried it (immediately or in a digest); NULL while a digest has not collected it.
  mail_id INTEGER REFERENCES notification_mails(id)
);
CREATE INDEX notifications_inbox ON notifications(user_id, read_at, id);
CREATE INDEX notifications_digest ON notifications(delivery, mail_id) WHERE mail_id IS NULL;

-- Mails to send. `key` is unique and becomes the Message-ID, so a mail resent after a crash between the
-- server's acceptance and our marking it sent is recognisably the same mail. Content is rendered when it is
-- sent, from the notifications it carries, after checking again that the recipient may still see each one.
CREATE TABLE notification_mails (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('immediate', 'digest')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'dropped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX notification_mails_due ON notification_mails(state, next_attempt_at);
