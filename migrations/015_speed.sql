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
  -- Never outlives, or disagrees with, the version it was taken from (a purge deletes or redacts versions).
  FOREIGN KEY (page_id, version) REFERENCES page_versions(page_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TRIGGER search_text_stale AFTER UPDATE ON page_versions
WHEN OLD.body IS NOT NEW.body OR OLD.front_matter IS NOT NEW.front_matter
BEGIN DELETE FROM search_text WHERE page_id = NEW.page_id AND version = NEW.version; END;

-- Who is signed in, with which role, teams and hidden pages, is kept in memory per session and token
-- (page views would otherwise read it from here on every request). This counter moves, in the same
-- transaction, with every change that could make such a memory wrong, whichever process makes it: a
-- revoked token or a deactivated account is refused on the very next request.
CREATE TABLE auth_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO auth_generation (id, n) VALUES (1, 0);

CREATE TRIGGER auth_user_changed AFTER UPDATE ON users
WHEN OLD.role IS NOT NEW.role OR OLD.active IS NOT NEW.active OR OLD.password_hash IS NOT NEW.password_hash
  OR OLD.must_change_password IS NOT NEW.must_change_password OR OLD.person IS NOT NEW.person OR OLD.username IS NOT NEW.username
BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_user_deleted AFTER DELETE ON users BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_token_revoked AFTER UPDATE ON api_tokens WHEN OLD.revoked_at IS NOT NEW.revoked_at
BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_token_deleted AFTER DELETE ON api_tokens BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_session_ended AFTER DELETE ON sessions BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_member_added AFTER INSERT ON team_members BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_member_changed AFTER UPDATE ON team_members BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_member_removed AFTER DELETE ON team_members BEGIN UPDATE auth_generation SET n = n + 1; END;
-- The restricted pages a viewer may not see are part of what is kept.
CREATE TRIGGER auth_restricted_page_added AFTER INSERT ON pages WHEN NEW.restricted_to IS NOT NULL
BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_restriction_changed AFTER UPDATE ON pages
WHEN OLD.restricted_to IS NOT NEW.restricted_to OR (NEW.restricted_to IS NOT NULL AND OLD.slug IS NOT NEW.slug)
BEGIN UPDATE auth_generation SET n = n + 1; END;
CREATE TRIGGER auth_restricted_page_deleted AFTER DELETE ON pages WHEN OLD.restricted_to IS NOT NULL
BEGIN UPDATE auth_generation SET n = n + 1; END;
