-- Removing patient information that slipped into a page, without losing the proof of what was there.
--
-- From now on a version's hash seals the sha256 digests of its fields (record_form 2), not the fields
-- themselves, so a field can later be emptied of a text and the chain still verifies against the digest.
-- Versions written before (record_form 1) keep their hashes; on first start the server computes their
-- per-field digests and seals all of them in one audit event (sealed_by), so an old version can be purged
-- and still be checked against digests the audit chain holds.
ALTER TABLE page_versions ADD COLUMN record_form INTEGER NOT NULL DEFAULT 1;
-- JSON {"front_matter", "body", "summary"}: sha256 hex of each field as it was written.
ALTER TABLE page_versions ADD COLUMN digests TEXT;
-- For record_form 1: the audit event whose digest over all the versions it sealed covers this one.
ALTER TABLE page_versions ADD COLUMN sealed_by INTEGER REFERENCES audit_events(id);

-- One purge: requested by one admin, applied only when a second admin approves with their password.
CREATE TABLE page_purges (
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id),
  version INTEGER NOT NULL,
  reason TEXT NOT NULL,
  -- sha256(salt + text): lets whoever holds the text confirm what was removed, without storing it.
  text_salt TEXT NOT NULL,
  text_digest TEXT NOT NULL,
  -- JSON {field: occurrences}: where the text occurs in the version.
  fields TEXT NOT NULL,
  -- The text itself, only until the purge is applied or withdrawn (the version holds it in clear until
  -- then anyway); emptied in the transaction that applies the purge, with secure_delete on.
  pending_text TEXT,
  status TEXT NOT NULL CHECK (status IN ('awaiting approval', 'applied', 'withdrawn')),
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  approved_by TEXT,
  approved_at TEXT,
  -- JSON: the audit events of exports and backups made since the version: copies that still hold the text.
  copies TEXT,
  FOREIGN KEY (page_id, version) REFERENCES page_versions(page_id, version)
);
CREATE INDEX page_purges_version ON page_purges(page_id, version);

-- Versions stay immutable except for two narrow updates: sealing the digests of a version that has none
-- (its content untouched), and an applied purge replacing text in its content fields (digests untouched).
DROP TRIGGER page_versions_immutable_update;
CREATE TRIGGER page_versions_immutable_update BEFORE UPDATE ON page_versions
WHEN NOT (
  NEW.page_id IS OLD.page_id AND NEW.version IS OLD.version AND NEW.slug IS OLD.slug AND NEW.author IS OLD.author
  AND NEW.created_at IS OLD.created_at AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
  AND NEW.archived IS OLD.archived AND NEW.files IS OLD.files AND NEW.record_form IS OLD.record_form
  AND (
    (OLD.digests IS NULL AND NEW.front_matter IS OLD.front_matter AND NEW.body IS OLD.body AND NEW.summary IS OLD.summary)
    OR (NEW.digests IS OLD.digests AND NEW.sealed_by IS OLD.sealed_by
        AND EXISTS (SELECT 1 FROM page_purges WHERE page_id = OLD.page_id AND version = OLD.version AND status = 'applied'))
  )
)
BEGIN SELECT RAISE(ABORT, 'page versions are immutable: save a new version instead'); END;

-- The audit events of a page's writes repeat its change summary, so purged text can be there too. An
-- event's details may be replaced only when a purge names the event here first; the purge's own audit
-- event, later in the chain, records the event's hash and the digest of its new details, which is what
-- verify then checks it against.
CREATE TABLE purged_audit_events (
  event_id INTEGER PRIMARY KEY REFERENCES audit_events(id),
  purge_id INTEGER NOT NULL REFERENCES page_purges(id)
);
DROP TRIGGER audit_events_append_only_update;
CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
WHEN NOT (
  NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor AND NEW.action IS OLD.action AND NEW.target IS OLD.target
  AND NEW.client IS OLD.client AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
  AND EXISTS (SELECT 1 FROM purged_audit_events WHERE event_id = OLD.id)
)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
