import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { savePage } from '../../server/pages/commands.js';
import { checkAnchor, makeAnchor, verifyStore } from '../../server/audit/verify.js';
import { chainHash, versionRecord } from '../../server/pages/hash.js';
import type { Store } from '../../server/store/index.js';
import { commandContext, sampleFrontMatter, seedPage, tempDir, testStore } from '../helpers.js';

/** A store with two pages, a few versions each, and their audit events. */
function populated(): Store {
  const { store } = testStore();
  seedPage(store, 'a', 'one');
  seedPage(store, 'b', 'uno');
  for (let i = 2; i <= 4; i++) {
    savePage(commandContext(store), { slug: 'a', frontMatter: sampleFrontMatter, body: `a${i}`, summary: `a${i}`, baseVersion: i - 1 });
    savePage(commandContext(store), { slug: 'b', frontMatter: sampleFrontMatter, body: `b${i}`, summary: `b${i}`, baseVersion: i - 1 });
  }
  return store;
}

/** What an attacker with the database file would do first. */
function dropTriggers(store: Store): void {
  for (const t of ['page_versions_immutable_update', 'page_versions_immutable_delete', 'audit_events_append_only_update', 'audit_events_append_only_delete']) {
    store.unsafeDatabaseForTests().exec(`DROP TRIGGER ${t}`);
  }
}

describe('verify', () => {
  it('passes an untouched store', () => {
    const r = verifyStore(populated());
    expect(r).toMatchObject({ pages: 2, versions: 8, events: 8, break: null });
  });

  it('names an edited version', () => {
    const store = populated();
    dropTriggers(store);
    store.unsafeDatabaseForTests().prepare("UPDATE page_versions SET body = 'rewritten' WHERE slug = 'a' AND version = 3").run();
    expect(verifyStore(store).break).toMatchObject({ table: 'page_versions', id: 'a v3', reason: 'content does not match its hash' });
  });

  it('names a deleted version', () => {
    const store = populated();
    dropTriggers(store);
    store.unsafeDatabaseForTests().prepare("DELETE FROM page_versions WHERE slug = 'b' AND version = 2").run();
    expect(verifyStore(store).break).toMatchObject({ table: 'page_versions', id: 'b v3', expected: 'version 2', found: 'version 3' });
  });

  it('names an edited, a deleted and a reordered audit event', () => {
    const edited = populated();
    dropTriggers(edited);
    edited.unsafeDatabaseForTests().prepare("UPDATE audit_events SET actor = 'someone-else' WHERE id = 3").run();
    expect(edited.unsafeDatabaseForTests().prepare('SELECT hash FROM audit_events WHERE id = 3').pluck().get()).toBe(verifyStore(edited).break?.found);
    expect(verifyStore(edited).break).toMatchObject({ table: 'audit_events', id: '3', reason: 'content does not match its hash' });

    const deleted = populated();
    dropTriggers(deleted);
    deleted.unsafeDatabaseForTests().prepare('DELETE FROM audit_events WHERE id = 4').run();
    expect(verifyStore(deleted).break).toMatchObject({ table: 'audit_events', id: '5' });

    const reordered = populated();
    dropTriggers(reordered);
    const [e5, e6] = [5, 6].map((id) => reordered.unsafeDatabaseForTests().prepare('SELECT * FROM audit_events WHERE id = ?').get(id) as Record<string, unknown>);
    const put = reordered.unsafeDatabaseForTests().prepare('UPDATE audit_events SET at = @at, actor = @actor, action = @action, target = @target, client = @client, details = @details, prev_hash = @prev_hash, hash = @hash WHERE id = @id');
    reordered.transaction(() => {
      put.run({ ...e6, id: 5, hash: `tmp-${e6!.hash}` });
      put.run({ ...e5, id: 6 });
      put.run({ ...e6, id: 5 });
    });
    expect(verifyStore(reordered).break).toMatchObject({ table: 'audit_events', id: '5' });
  });

  it('a chain recomputed end to end passes plain verify but fails against an earlier anchor', () => {
    const store = populated();
    const keyFile = path.join(tempDir(), 'anchor.pem');
    const anchor = makeAnchor(store, keyFile);
    expect(checkAnchor(store, anchor, keyFile)).toBeNull();

    dropTriggers(store);
    store.unsafeDatabaseForTests().prepare("UPDATE page_versions SET body = 'forged' WHERE slug = 'a' AND version = 2").run();
    // Recompute every hash after the forgery, as a careful attacker would.
    let prev: string | null = null;
    let page = -1;
    for (const row of store.unsafeDatabaseForTests().prepare('SELECT * FROM page_versions ORDER BY page_id, version').all() as Parameters<typeof versionRecord>[0][] & { page_id: number; version: number }[]) {
      const r = row as unknown as { page_id: number; version: number; hash: string } & Parameters<typeof versionRecord>[0];
      if (r.page_id !== page) { page = r.page_id; prev = null; }
      const hash = chainHash(prev, versionRecord(r));
      store.unsafeDatabaseForTests().prepare('UPDATE page_versions SET prev_hash = ?, hash = ? WHERE page_id = ? AND version = ?').run(prev, hash, r.page_id, r.version);
      prev = hash;
    }
    let last: string | null = null;
    for (const e of store.audit.all()) {
      const { id, hash: _h, prev_hash: _p, details, ...rest } = e;
      const hash = chainHash(last, { ...rest, details: { ...(JSON.parse(details) as object), forged: true } });
      store.unsafeDatabaseForTests().prepare('UPDATE audit_events SET details = ?, prev_hash = ?, hash = ? WHERE id = ?').run(JSON.stringify({ ...(JSON.parse(details) as object), forged: true }), last, hash, id);
      last = hash;
    }
    expect(verifyStore(store).break).toBeNull();
    expect(checkAnchor(store, anchor, keyFile)).toMatch(/the chain was rewritten/);
  });

  it('catches a truncated log and a forged anchor', () => {
    const store = populated();
    const keyFile = path.join(tempDir(), 'anchor.pem');
    const anchor = makeAnchor(store, keyFile);
    expect(checkAnchor(store, { ...anchor, count: anchor.count + 5 }, keyFile)).toMatch(/not signed/);
    dropTriggers(store);
    store.unsafeDatabaseForTests().prepare('DELETE FROM audit_events WHERE id > 6').run();
    expect(checkAnchor(store, anchor, keyFile)).toMatch(/truncated/);
  });

  it('reads the audit log one event at a time, so a long log does not have to fit in memory', () => {
    const store = populated();
    const keyFile = path.join(tempDir(), 'anchor.pem');
    store.audit.all = () => {
      throw new Error('the whole log was loaded');
    };
    expect(verifyStore(store)).toMatchObject({ events: 8, break: null });
    const anchor = makeAnchor(store, keyFile);
    expect(checkAnchor(store, anchor, keyFile)).toBeNull();
    dropTriggers(store);
    store.unsafeDatabaseForTests().prepare("UPDATE audit_events SET hash = 'rewritten' WHERE id = 8").run();
    expect(checkAnchor(store, anchor, keyFile)).toBe(`Audit event 8 (id 8) has hash rewritten but the anchor of ${anchor.at} recorded ${anchor.hash}: the chain was rewritten.`);
  });

  it('names a version whose front matter was edited between versions that keep the same front matter', () => {
    const store = populated();
    dropTriggers(store);
    const db = store.unsafeDatabaseForTests();
    const fm = db.prepare("SELECT front_matter FROM page_versions WHERE slug = 'a' AND version = 3").pluck().get() as string;
    expect(db.prepare("SELECT count(*) FROM page_versions WHERE slug = 'a' AND front_matter = ?").pluck().get(fm)).toBeGreaterThan(2);
    // Spacing alone does not change the canonical form; a changed value does.
    db.prepare("UPDATE page_versions SET front_matter = ? WHERE slug = 'a' AND version = 3").run(JSON.stringify(JSON.parse(fm), null, 2));
    expect(verifyStore(store).break).toBeNull();
    db.prepare("UPDATE page_versions SET front_matter = ? WHERE slug = 'a' AND version = 3").run(JSON.stringify({ ...JSON.parse(fm), status: 'deprecated' }));
    expect(verifyStore(store).break).toMatchObject({ table: 'page_versions', id: 'a v3', reason: 'content does not match its hash' });
  });
});
