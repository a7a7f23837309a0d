-- Files on pages: screenshots, diagrams and documents, stored once by content (sha256) and never changed
-- or deleted, so every version that names a file can show it as it was.

CREATE TABLE files (
  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size INTEGER NOT NULL,
  -- The type read from the bytes, never from the name or the uploader.
  type TEXT NOT NULL,
  bytes BLOB NOT NULL,
  -- Text read from the file (document text, or OCR of an image): searched, and checked by the PHI guard.
  text TEXT,
  width INTEGER,
  height INTEGER,
  -- A smaller WebP for the page view when the image is large; the original stays one click away.
  thumbnail BLOB,
  created_at TEXT NOT NULL
);

-- Which page a file was added to, under which name: the page's attachment list. A file can only be read
-- through a page it was added to, so a restricted page's files are as hidden as the page.
CREATE TABLE page_files (
  slug TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES files(sha256),
  name TEXT NOT NULL,
  alt TEXT,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (slug, sha256, name)
);
CREATE INDEX page_files_sha ON page_files(sha256);

-- The digests of the files a version references (sorted JSON array; NULL when none), sealed by its hash.
ALTER TABLE page_versions ADD COLUMN files TEXT;
