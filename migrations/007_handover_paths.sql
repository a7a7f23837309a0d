-- Knowledge transfer: handover plans before a known departure, and reading paths for new hires.

-- A handover plan: opened when a departure is known in advance. It stays as a record after the leaving
-- date, when the departure is recorded and `closed_at` set.
CREATE TABLE handovers (
  id INTEGER PRIMARY KEY,
  person TEXT NOT NULL REFERENCES parties(handle),
  leaving_on TEXT NOT NULL,
  successor TEXT REFERENCES parties(handle),
  opened_at TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  closed_at TEXT
);
-- At most one open plan per person.
CREATE UNIQUE INDEX handovers_open ON handovers(person) WHERE closed_at IS NULL;

-- One row per page in a plan. `via` is the owner through which the person answers for the page: the
-- person themselves, or a team of which they are the last active member.
CREATE TABLE handover_pages (
  handover_id INTEGER NOT NULL REFERENCES handovers(id),
  slug TEXT NOT NULL,
  title TEXT NOT NULL,
  via TEXT NOT NULL,
  successor TEXT REFERENCES parties(handle),
  state TEXT NOT NULL DEFAULT 'not_started' CHECK (state IN ('not_started', 'walked_through', 'accepted')),
  note TEXT,
  updated_at TEXT,
  updated_by TEXT,
  PRIMARY KEY (handover_id, slug)
);

-- A reading path; each saved definition is a new version, never changed afterwards.
CREATE TABLE paths (
  id INTEGER PRIMARY KEY,
  current_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE path_versions (
  path_id INTEGER NOT NULL REFERENCES paths(id),
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  -- JSON array of {"slug", "note"?}, in reading order.
  steps TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (path_id, version)
);
CREATE TRIGGER path_versions_immutable_update BEFORE UPDATE ON path_versions
BEGIN SELECT RAISE(ABORT, 'path versions are only ever added'); END;
CREATE TRIGGER path_versions_immutable_delete BEFORE DELETE ON path_versions
BEGIN SELECT RAISE(ABORT, 'path versions are only ever added'); END;

CREATE TABLE path_assignments (
  path_id INTEGER NOT NULL REFERENCES paths(id),
  person TEXT NOT NULL REFERENCES parties(handle),
  assigned_at TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  PRIMARY KEY (path_id, person)
);

-- Each "I read this step": which version of the page was read. Reads are only added; the latest counts.
CREATE TABLE path_reads (
  id INTEGER PRIMARY KEY,
  path_id INTEGER NOT NULL REFERENCES paths(id),
  person TEXT NOT NULL REFERENCES parties(handle),
  slug TEXT NOT NULL,
  page_version INTEGER NOT NULL,
  read_at TEXT NOT NULL,
  -- 1 when the path was not assigned to the reader: recorded, not refused.
  self_study INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX path_reads_person ON path_reads(person, path_id, slug);
