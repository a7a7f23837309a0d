-- Comments on pages: the team's conversation about a page, beside it and not part of it (no version is
-- written). A thread is a root comment and its replies (thread_id names the root; one level deep). A root
-- of kind 'wrong' says the page is wrong or out of date: it stays prominent until someone resolves it.
CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id),
  thread_id INTEGER REFERENCES comments(id),
  kind TEXT NOT NULL CHECK (kind IN ('comment', 'wrong')),
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  -- The page version the comment was written against ("on version 3").
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT
);
CREATE INDEX comments_page ON comments(page_id, id);
CREATE INDEX comments_thread ON comments(thread_id) WHERE thread_id IS NOT NULL;
-- The owners' queue and the flagged report read only the open "wrong" flags.
CREATE INDEX comments_open_wrong ON comments(page_id) WHERE kind = 'wrong' AND resolved_at IS NULL;

-- What was written stays as written: only the resolved mark moves.
CREATE TRIGGER comments_text_immutable BEFORE UPDATE OF page_id, thread_id, kind, author, body, version, created_at ON comments
BEGIN SELECT RAISE(ABORT, 'a comment is never rewritten'); END;
CREATE TRIGGER comments_never_deleted BEFORE DELETE ON comments
BEGIN SELECT RAISE(ABORT, 'comments are never deleted'); END;
