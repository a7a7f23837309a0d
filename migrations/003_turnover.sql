-- Knowledge that survives turnover: who succeeds a departed person, and every "mark reviewed".

-- A departed person may name who takes over their pages; nobody is ever deleted.
ALTER TABLE parties ADD COLUMN successor TEXT REFERENCES parties(handle);
ALTER TABLE parties ADD COLUMN departure_reason TEXT;

-- Each review of a page: who confirmed it still holds, when, against which version, with an optional note.
-- Reviews are facts like versions: they are only ever added.
CREATE TABLE page_reviews (
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id),
  version INTEGER NOT NULL,
  reviewer TEXT NOT NULL,
  reviewed_at TEXT NOT NULL,
  note TEXT
);
CREATE INDEX page_reviews_page ON page_reviews(page_id, reviewed_at);

CREATE TRIGGER page_reviews_immutable_update BEFORE UPDATE ON page_reviews
BEGIN SELECT RAISE(ABORT, 'reviews are only ever added'); END;
CREATE TRIGGER page_reviews_immutable_delete BEFORE DELETE ON page_reviews
BEGIN SELECT RAISE(ABORT, 'reviews are only ever added'); END;

-- The head carries the last review, so lists and reports need no aggregate per page.
ALTER TABLE pages ADD COLUMN last_reviewed_at TEXT;
ALTER TABLE pages ADD COLUMN last_reviewed_by TEXT;
