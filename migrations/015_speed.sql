-- The plain text the search index holds for each version's why and body, extracted from the markdown
-- when the version is written (by whichever process writes it). The index reads it here instead of
-- parsing every page again, so a rebuild or a large import picked up by the server costs no markdown
-- parsing. Derived data: a version without a row is extracted when indexed, as before.
CREATE TABLE search_text (
  page_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  why TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (page_id, version),
  FOREIGN KEY (page_id, version) REFERENCES page_versions(page_id, version)
) WITHOUT ROWID;
