-- Purging an attachment (a screenshot with a patient on it) with the same two-admin rule as text. A
-- version's hash seals the file's sha256, not its bytes, so the bytes, the thumbnail and the text read from
-- the file can go while the digest stays and the chain still verifies.

-- The file a purge removes (sha256); NULL for a purge of text.
ALTER TABLE page_purges ADD COLUMN file TEXT;
-- The applied purge that removed this file's bytes; NULL while they are stored.
ALTER TABLE files ADD COLUMN purged_by INTEGER REFERENCES page_purges(id);

-- Files are written once and never changed, except that an applied purge of the file empties its bytes,
-- thumbnail and text, keeping its digest, size and type for the record.
CREATE TRIGGER files_immutable_update BEFORE UPDATE ON files
WHEN NOT (
  NEW.sha256 IS OLD.sha256 AND NEW.size IS OLD.size AND NEW.type IS OLD.type AND NEW.created_at IS OLD.created_at
  AND length(NEW.bytes) = 0 AND NEW.thumbnail IS NULL AND NEW.text IS NULL
  AND EXISTS (SELECT 1 FROM page_purges WHERE id = NEW.purged_by AND file = OLD.sha256 AND status = 'applied')
)
BEGIN SELECT RAISE(ABORT, 'stored files are immutable: only an applied purge may remove their bytes'); END;
CREATE TRIGGER files_no_delete BEFORE DELETE ON files
BEGIN SELECT RAISE(ABORT, 'stored files are never deleted: versions seal their digests'); END;
