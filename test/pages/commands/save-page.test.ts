import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { savePage } from '../../../server/pages/commands/save-page.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../server/core/errors.js';
import { getCurrentPage, listVersions } from '../../../server/pages/queries.js';
import { canonicalJson, chainHash } from '../../../server/core/hash.js';
import { verifyStore } from '../../../server/audit/verify.js';
import { PageEvents } from '../../../server/core/events.js';
import { PhiGuard } from '../../../server/phi/guard.js';
import { auditCount, commandContext, sampleFrontMatter, seedPage, testStore } from '../../helpers.js';

function counts(store: ReturnType<typeof testStore>['store']) {
  return {
    versions: store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM page_versions').pluck().get(),
    audit: store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get(),
    pages: store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM pages').pluck().get(),
  };
}

describe('savePage', () => {
  it('chains each version to the previous hash and records the author and summary', () => {
    const { store } = testStore();
    const v1 = seedPage(store);
    const ctx = commandContext(store, 'dokafor');
    const { page: v2 } = savePage(ctx, { slug: v1.slug, frontMatter: { ...sampleFrontMatter, status: 'retired' }, body: 'New body', summary: 'Retired after go-live review', baseVersion: 1 });
    expect(v2).toMatchObject({ version: 2, prevHash: v1.hash, author: 'dokafor', summary: 'Retired after go-live review' });
    const fm = { ...sampleFrontMatter, status: 'retired' };
    const ordered = Object.fromEntries(Object.keys(fm).sort((a, b) => Object.keys(sampleFrontMatter).indexOf(a) - Object.keys(sampleFrontMatter).indexOf(b)).map((k) => [k, fm[k as keyof typeof fm]]));
    // The hash seals digests of the fields (record form 2), so text can later be purged and the chain still hold.
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const digests = { front_matter: sha(canonicalJson(ordered)), body: sha('New body'), summary: sha('Retired after go-live review') };
    expect(v2.hash).toBe(chainHash(v1.hash, { form: 2, slug: v1.slug, version: 2, digests, author: 'dokafor', created_at: v2.createdAt }));
    expect(listVersions(store, v1.slug).map((v) => v.version)).toEqual([2, 1]);
    const actions = store.audit.forTarget(v1.slug).map((e) => e.action);
    expect(actions).toEqual(['page.created', 'page.status_changed']);
    expect(JSON.parse(store.audit.forTarget(v1.slug)[1]!.details)).toMatchObject({ version: 2, status: { from: 'live', to: 'retired' }, summary: 'Retired after go-live review' });
    expect(verifyStore(store).break).toBeNull();
  });

  it('refuses a stale base version with a conflict and writes nothing', () => {
    const { store } = testStore();
    const v1 = seedPage(store);
    savePage(commandContext(store), { slug: v1.slug, frontMatter: sampleFrontMatter, body: 'Second', summary: 'Second', baseVersion: 1 });
    const before = counts(store);
    const err = (() => { try { savePage(commandContext(store, 'dokafor'), { slug: v1.slug, frontMatter: sampleFrontMatter, body: 'Mine', summary: 'Mine', baseVersion: 1 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ baseVersion: 1, currentVersion: 2 });
    expect(counts(store)).toEqual(before);
    expect(getCurrentPage(store, v1.slug).body).toBe('Second');
  });

  it('requires a change summary and a real base version', () => {
    const { store } = testStore();
    const v1 = seedPage(store);
    expect(() => savePage(commandContext(store), { slug: v1.slug, frontMatter: sampleFrontMatter, body: 'x', summary: ' ', baseVersion: 1 })).toThrow(/change summary is required/);
    expect(() => savePage(commandContext(store), { slug: v1.slug, frontMatter: sampleFrontMatter, body: 'x', summary: 'ok', baseVersion: 7 })).toThrow(/Version 7 does not exist/);
    expect(() => savePage(commandContext(store), { slug: 'nope', frontMatter: sampleFrontMatter, body: 'x', summary: 'ok', baseVersion: 1 })).toThrow(NotFoundError);
  });

  it('writes nothing when nothing changed', () => {
    const { store } = testStore();
    const v1 = seedPage(store);
    const result = savePage(commandContext(store), { slug: v1.slug, frontMatter: sampleFrontMatter, body: v1.body, summary: 'No-op', baseVersion: 1 });
    expect(result.unchanged).toBe(true);
    expect(result.page.version).toBe(1);
    expect(counts(store).versions).toBe(1);
  });

  it('keeps the owner and link tables in step with the current version, and emits an event', () => {
    const { store } = testStore();
    const events = new PageEvents();
    const seen: unknown[] = [];
    events.on('page-changed', (e) => seen.push(e));
    const v1 = seedPage(store);
    savePage(commandContext(store, 'mreyes', { events }), { slug: v1.slug, frontMatter: { ...sampleFrontMatter, owners: ['epic-clindoc'] }, body: 'See [[other-page|other]].', summary: 'Team owns it now', baseVersion: 1 });
    expect(store.pages.ownedBy('mreyes')).toHaveLength(0);
    expect(store.pages.ownedBy('epic-clindoc').map((p) => p.slug)).toEqual([v1.slug]);
    expect(store.pages.backlinks('other-page').map((p) => p.slug)).toEqual([v1.slug]);
    expect(seen).toEqual([{ slug: v1.slug, version: 2, created: false }]);
  });
});

describe('savePage: permissions', () => {
  it('lets only an admin save over the PHI guard, with one audit event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    const input = { slug: page.slug, frontMatter: sampleFrontMatter, body: 'Call 555-867-5309 for help.', summary: 'Phone', baseVersion: 1 };
    const before = auditCount(store);
    expect(() => savePage(commandContext(store, 'ed', { actor: { username: 'ed', role: 'editor' }, phi, phiOverride: { reason: 'test line' } }), input)).toThrow(ForbiddenError);
    expect(auditCount(store)).toBe(before);
    expect(savePage(commandContext(store, 'ad', { actor: { username: 'ad', role: 'admin' }, phi, phiOverride: { reason: 'test line' } }), input).page.version).toBe(2);
    expect(auditCount(store)).toBe(before + 1);
  });
});
