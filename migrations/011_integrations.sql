-- Webhooks and Teams/Slack channels that admins connect, and what is sent to them. The integrations
-- consumer of the audit log (see 008) writes a delivery row per integration and event in the same
-- transaction that moves its cursor; a sender sends the rows afterwards, outside any transaction, and
-- records every attempt. Integrations are removed by marking them, so their delivery log stays readable.
CREATE TABLE integrations (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('webhook', 'slack', 'teams')),
  label TEXT NOT NULL,
  url TEXT NOT NULL,
  -- The HMAC key of a webhook; chat integrations have none (their URL is their secret).
  secret TEXT,
  events TEXT NOT NULL,
  -- Scope: a team's pages (the only way a restricted page's events are sent), or a system's pages.
  team TEXT,
  system TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  removed_at TEXT
);

CREATE TABLE integration_deliveries (
  id INTEGER PRIMARY KEY,
  -- Sent as X-Whywiki-Delivery: the same on every retry, so a receiver can drop duplicates.
  delivery_id TEXT NOT NULL UNIQUE,
  integration_id INTEGER NOT NULL REFERENCES integrations(id),
  event_id INTEGER NOT NULL,
  event TEXT NOT NULL,
  -- The page slug the event is about, re-checked against restrictions just before each attempt.
  slug TEXT,
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'withheld')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  delivered_at TEXT,
  UNIQUE (integration_id, event_id)
);
CREATE INDEX integration_deliveries_due ON integration_deliveries(next_attempt_at) WHERE state = 'pending';

CREATE TABLE integration_attempts (
  id INTEGER PRIMARY KEY,
  delivery INTEGER NOT NULL REFERENCES integration_deliveries(id),
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  status INTEGER,
  error TEXT
);
CREATE INDEX integration_attempts_delivery ON integration_attempts(delivery);
