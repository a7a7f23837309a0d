-- Whywiki schema 1: people and teams, accounts, sessions, pages with immutable hash-chained versions,
-- and an append-only hash-chained audit log.

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- People and teams share one handle space, so an owner handle names exactly one of them.
CREATE TABLE parties (
  handle TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('person', 'team')),
  name TEXT NOT NULL,
  title TEXT,
  email TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'departed')),
  departed_on TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE team_members (
  team TEXT NOT NULL REFERENCES parties(handle),
  person TEXT NOT NULL REFERENCES parties(handle),
  PRIMARY KEY (team, person)
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT,
  role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'auditor', 'admin')),
  person TEXT UNIQUE REFERENCES parties(handle),
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);

CREATE TABLE sessions (
  sid TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- The head of each page: which version is current, plus the fields lists filter on.
-- It is a pointer that moves; the record itself is page_versions, which never changes.
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  current_version INTEGER NOT NULL,
  title TEXT NOT NULL,
  system TEXT NOT NULL,
  module TEXT,
  status TEXT NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE INDEX pages_system ON pages(system, module);
CREATE INDEX pages_updated ON pages(updated_at);

CREATE TABLE page_versions (
  page_id INTEGER NOT NULL REFERENCES pages(id),
  version INTEGER NOT NULL CHECK (version >= 1),
  slug TEXT NOT NULL,
  front_matter TEXT NOT NULL,  -- canonical JSON of the validated front matter
  body TEXT NOT NULL,
  summary TEXT NOT NULL CHECK (length(trim(summary)) > 0),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  prev_hash TEXT,
  hash TEXT NOT NULL UNIQUE,
  PRIMARY KEY (page_id, version)
);

CREATE TRIGGER page_versions_immutable_update BEFORE UPDATE ON page_versions
BEGIN SELECT RAISE(ABORT, 'page versions are immutable: save a new version instead'); END;
CREATE TRIGGER page_versions_immutable_delete BEFORE DELETE ON page_versions
BEGIN SELECT RAISE(ABORT, 'page versions are immutable: archive the page instead'); END;

-- Current owners of each page, so "what does this person own" needs no JSON scan.
CREATE TABLE page_owners (
  page_id INTEGER NOT NULL REFERENCES pages(id),
  owner TEXT NOT NULL REFERENCES parties(handle),
  PRIMARY KEY (page_id, owner)
);
CREATE INDEX page_owners_owner ON page_owners(owner);

-- Current outgoing [[links]] of each page, for backlinks and missing-page reports.
CREATE TABLE page_links (
  page_id INTEGER NOT NULL REFERENCES pages(id),
  target_slug TEXT NOT NULL,
  PRIMARY KEY (page_id, target_slug)
);
CREATE INDEX page_links_target ON page_links(target_slug);

CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  client TEXT,
  details TEXT NOT NULL,  -- canonical JSON
  prev_hash TEXT,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_events_target ON audit_events(target);

CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
