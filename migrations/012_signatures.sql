-- Electronic signatures (21 CFR Part 11 §11.50/§11.70): who signed what, meaning what, when, bound to the
-- hash of exactly what they saw. A page signature is bound to a version's hash; an access review's to the
-- hash of the report's content. Each row carries its own hash (over slug, version, content hash, meaning,
-- signer and time), which the `signature.added` audit event records, so an edited row no longer matches.
CREATE TABLE signatures (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('page', 'access_review')),
  page_id INTEGER REFERENCES pages(id),
  slug TEXT,
  version INTEGER,
  content_hash TEXT NOT NULL,
  meaning TEXT NOT NULL CHECK (meaning IN ('approved', 'reviewed', 'verified', 'authored')),
  signer TEXT NOT NULL,
  signer_name TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  comment TEXT,
  hash TEXT NOT NULL UNIQUE,
  audit_event_id INTEGER NOT NULL REFERENCES audit_events(id)
);
CREATE INDEX signatures_page ON signatures(page_id, version);
CREATE INDEX signatures_kind ON signatures(kind, signed_at);

CREATE TRIGGER signatures_immutable_update BEFORE UPDATE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are only ever added'); END;
CREATE TRIGGER signatures_immutable_delete BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are only ever added'); END;

-- Who was asked to approve which version, so each approver's queue needs no scan of the audit log.
CREATE TABLE approval_requests (
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id),
  version INTEGER NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  approver TEXT NOT NULL
);
CREATE INDEX approval_requests_approver ON approval_requests(approver, page_id);

