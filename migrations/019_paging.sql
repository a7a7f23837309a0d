-- The home page lists pages a page at a time, by system, then module ("General" when none), then title.
-- This index holds the listed pages in exactly that order, so a page of the home page is an index range
-- (a seek to the system, a short walk to the offset), not a sort of every page in the wiki.
CREATE INDEX pages_home ON pages(system, coalesce(module, 'General') COLLATE NOCASE, title COLLATE NOCASE, slug) WHERE archived = 0;
