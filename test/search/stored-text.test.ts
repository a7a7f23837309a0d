import { describe, expect, it } from 'vitest';
import { SearchFeed } from '../../server/search/snapshot.js';
import { seedPage, testStore } from '../helpers.js';

describe('text extracted when a version is written', () => {
  it('is stored with the version, and indexing reads it instead of parsing the markdown again', () => {
    const { store } = testStore();
    seedPage(store, 'sepsis-screening-bpa', '## Context\n\nThe **lactate** is drawn at [[vte-panel]].\n');
    const db = store.unsafeDatabaseForTests();
    expect(db.prepare('SELECT why, body FROM search_text').all()).toEqual([
      { why: 'Nurses missed early sepsis signs in the ED; the BPA prompts a lactate order.', body: 'Context\nThe lactate is drawn at vte panel.' },
    ]);
    // Only the stored text could put this word in the index: the markdown does not hold it.
    db.prepare("UPDATE search_text SET body = body || ' zebracorn', why = why || ' okapi'").run();
    const feed = new SearchFeed(db);
    const [full] = feed.snapshotSource(null).pages;
    expect(full).toMatchObject({ body: expect.stringContaining('zebracorn'), why: expect.stringContaining('okapi') });
    const [delta] = feed.changesSince(0, 10).pages;
    expect(delta!.doc).toMatchObject({ body: expect.stringContaining('zebracorn') });
    store.close();
  });

  it('goes with its version when the version is deleted or its text rewritten (a purge)', () => {
    const { store } = testStore();
    seedPage(store, 'a');
    seedPage(store, 'b');
    const db = store.unsafeDatabaseForTests();
    db.prepare('DROP TRIGGER IF EXISTS page_versions_no_update').run();
    for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'page_versions' AND name != 'search_text_stale'").pluck().all() as string[]) db.prepare(`DROP TRIGGER ${t}`).run();
    db.prepare("UPDATE page_versions SET body = 'redacted' WHERE slug = 'a'").run();
    db.prepare("DELETE FROM page_versions WHERE slug = 'b'").run();
    expect(db.prepare('SELECT count(*) FROM search_text').pluck().get()).toBe(0);
    store.close();
  });

  it('is extracted as before for versions written without it', () => {
    const { store } = testStore();
    seedPage(store);
    const db = store.unsafeDatabaseForTests();
    db.prepare('DELETE FROM search_text').run();
    const [doc] = new SearchFeed(db).snapshotSource(null).pages;
    expect(doc).toMatchObject({ body: 'Context\nLinks to vte panel.' });
    store.close();
  });
});
