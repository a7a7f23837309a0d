-- The inbox order (unread first, then newest first) as an index, so a person's first page of notifications is
-- read off the index instead of sorting all of them (171 ms at 50,000). The older notifications_inbox index
-- stays: the unread count and "mark all read" search it by read_at IS NULL.
CREATE INDEX notifications_inbox_order ON notifications(user_id, read_at IS NOT NULL, id DESC);
