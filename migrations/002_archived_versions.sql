-- Archiving and unarchiving are versions too: each version records whether the page was archived
-- from that version on, so the wiki can be shown exactly as it stood on any past date.
ALTER TABLE page_versions ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
CREATE INDEX page_versions_created ON page_versions(created_at);
