-- Access fit for a hospital: sessions that can be revoked per user, forced password changes,
-- accounts that come from single sign-on, restricted pages, and the PHI guard's own rules.

-- Sessions name their user, so signing out everywhere (deactivation, a password change) is one statement.
ALTER TABLE sessions ADD COLUMN user_id INTEGER;
CREATE INDEX sessions_user ON sessions(user_id);

-- After an admin resets a password, the next sign-in must choose a new one.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
-- Where the account signs in: with a password here, or through OpenID Connect or the trusted proxy.
ALTER TABLE users ADD COLUMN auth_source TEXT NOT NULL DEFAULT 'local' CHECK (auth_source IN ('local', 'oidc', 'proxy'));
-- The identity provider's stable subject ("issuer sub"), never the name it happens to send.
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_external ON users(auth_source, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE users ADD COLUMN last_signed_in_at TEXT;

-- The teams a page is restricted to (JSON array), copied from the current version's front matter so
-- every list can leave the page out for non-members without reading versions. NULL: open to all readers.
ALTER TABLE pages ADD COLUMN restricted_to TEXT;
UPDATE pages SET restricted_to = (
  SELECT json_extract(v.front_matter, '$.restricted_to') FROM page_versions v
  WHERE v.page_id = pages.id AND v.version = pages.current_version
);
CREATE INDEX pages_restricted ON pages(restricted_to) WHERE restricted_to IS NOT NULL;

-- Patterns admins add to the PHI guard, and terms they allow. Rules are retired, never deleted, so the
-- audit log's references to them stay readable.
CREATE TABLE phi_rules (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('pattern', 'allow')),
  value TEXT NOT NULL,
  label TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT,
  retired_by TEXT
);
