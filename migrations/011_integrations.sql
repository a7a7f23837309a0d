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

-- The tickets and build records each page's current version cites, keyed as search matches an ID (case,
-- spaces, dashes and underscores ignored), so an ITSM lookup is an index seek rather than a scan of every
-- page's front matter. Versions are only ever added and the newest is the current one, so a trigger on
-- each new version keeps it, whichever command wrote the version.
CREATE TABLE page_citations (
  field TEXT NOT NULL CHECK (field IN ('tickets', 'records')),
  key TEXT NOT NULL,
  page_id INTEGER NOT NULL REFERENCES pages(id),
  value TEXT NOT NULL,
  PRIMARY KEY (field, key, page_id)
) WITHOUT ROWID;
CREATE INDEX page_citations_page ON page_citations(page_id);

CREATE TRIGGER page_citations_follow_versions AFTER INSERT ON page_versions
WHEN NOT EXISTS (SELECT 1 FROM page_versions WHERE page_id = NEW.page_id AND version > NEW.version)
BEGIN
  DELETE FROM page_citations WHERE page_id = NEW.page_id;
  INSERT OR IGNORE INTO page_citations (field, key, page_id, value)
    SELECT 'tickets', lower(replace(replace(replace(replace(replace(value, ' ', ''), '-', ''), '_', ''), char(9), ''), char(160), '')), NEW.page_id, value FROM json_each(NEW.front_matter, '$.tickets') WHERE type = 'text'
    UNION ALL
    SELECT 'records', lower(replace(replace(replace(replace(replace(value, ' ', ''), '-', ''), '_', ''), char(9), ''), char(160), '')), NEW.page_id, value FROM json_each(NEW.front_matter, '$.records') WHERE type = 'text';
END;

INSERT OR IGNORE INTO page_citations (field, key, page_id, value)
  SELECT 'tickets', lower(replace(replace(replace(replace(replace(j.value, ' ', ''), '-', ''), '_', ''), char(9), ''), char(160), '')), p.id, j.value
    FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version, json_each(v.front_matter, '$.tickets') j WHERE j.type = 'text'
  UNION ALL
  SELECT 'records', lower(replace(replace(replace(replace(replace(j.value, ' ', ''), '-', ''), '_', ''), char(9), ''), char(160), '')), p.id, j.value
    FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version, json_each(v.front_matter, '$.records') j WHERE j.type = 'text';
