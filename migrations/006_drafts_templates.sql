-- Writing: drafts that survive a closed tab, page templates, and the slugs pages had before a rename.

-- One draft per person and page. `slug` is the page's slug, or for a page not yet created a key the
-- editor makes up ("new-" and random letters) so one person can keep several new pages in progress.
-- A draft is private scratch: never searched, never in an export, gone once its author saves.
CREATE TABLE drafts (
  username TEXT NOT NULL,
  slug TEXT NOT NULL,
  -- The version the edit started from; NULL for a new page.
  base_version INTEGER,
  -- The form's fields as typed (JSON object of strings), so nothing is lost even if it does not validate.
  fields TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (username, slug)
);

-- Page templates an admin manages: prefilled front matter (JSON) and a body skeleton.
CREATE TABLE templates (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  front_matter TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);

-- A renamed page's earlier slugs, so old URLs answer 301 and [[old-slug]] links keep resolving.
CREATE TABLE page_renames (
  old_slug TEXT PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id),
  renamed_at TEXT NOT NULL
);
CREATE INDEX page_renames_page ON page_renames(page_id);
