import { describe, expect, it } from 'vitest';
import { changeStatus, createPage, savePage } from '../../server/pages/commands.js';
import { getCurrentPage } from '../../server/pages/queries.js';
import { ValidationError } from '../../server/pages/errors.js';
import { verifyStore } from '../../server/audit/verify.js';
import { commandContext, sampleFrontMatter, testStore } from '../helpers.js';
import type { Store } from '../../server/store/index.js';

/** Every "A supersedes B" has its "B superseded_by A", and the other way round. */
function symmetric(store: Store): void {
  const pages = store.pages.allCurrent().map((p) => ({ slug: p.slug, fm: JSON.parse(p.front_matter) as { supersedes?: string[]; superseded_by?: string[] } }));
  const bySlug = new Map(pages.map((p) => [p.slug, p.fm]));
  for (const p of pages) {
    for (const s of p.fm.supersedes ?? []) expect(bySlug.get(s)?.superseded_by ?? [], `${s} superseded_by ${p.slug}`).toContain(p.slug);
    for (const s of p.fm.superseded_by ?? []) expect(bySlug.get(s)?.supersedes ?? [], `${s} supersedes ${p.slug}`).toContain(p.slug);
  }
}

const edit = (store: Store, slug: string, change: Record<string, unknown>, summary: string) => {
  const cur = getCurrentPage(store, slug);
  return savePage(commandContext(store), { slug, frontMatter: { ...cur.frontMatter, ...change }, body: cur.body, summary, baseVersion: cur.version });
};

describe('supersession', () => {
  it('stays symmetric through edits on either side, and a page with a successor becomes superseded', () => {
    const { store } = testStore();
    const ctx = commandContext(store);
    createPage(ctx, { slug: 'nav-v1', frontMatter: { ...sampleFrontMatter, title: 'Navigator v1' }, body: 'v1' });
    createPage(ctx, { slug: 'nav-v2', frontMatter: { ...sampleFrontMatter, title: 'Navigator v2', supersedes: ['nav-v1'] }, body: 'v2' });
    symmetric(store);
    const v1 = getCurrentPage(store, 'nav-v1');
    expect(v1).toMatchObject({ version: 2, summary: 'Superseded by nav-v2 (kept in step with that page)', frontMatter: { status: 'superseded', superseded_by: ['nav-v2'] } });
    expect(store.unsafeDatabaseForTests().prepare("SELECT action, json_extract(details, '$.linked_from') FROM audit_events WHERE target = 'nav-v1' ORDER BY id DESC LIMIT 1").raw().get()).toEqual(['page.status_changed', 'nav-v2']);

    // From the other side: v1 now also names v3 as its successor.
    createPage(ctx, { slug: 'nav-v3', frontMatter: { ...sampleFrontMatter, title: 'Navigator v3' }, body: 'v3' });
    edit(store, 'nav-v1', { superseded_by: ['nav-v2', 'nav-v3'] }, 'v3 replaces part of it too');
    symmetric(store);
    expect(getCurrentPage(store, 'nav-v3').frontMatter.supersedes).toEqual(['nav-v1']);

    // v2 drops its claim: v1 loses v2 as a successor.
    edit(store, 'nav-v2', { supersedes: undefined }, 'v2 turned out to be a separate build');
    symmetric(store);
    expect(getCurrentPage(store, 'nav-v1').frontMatter.superseded_by).toEqual(['nav-v3']);

    // v1 drops its last successor: v3 no longer supersedes anything.
    edit(store, 'nav-v1', { superseded_by: undefined, status: 'retired' }, 'Retired outright');
    symmetric(store);
    expect(getCurrentPage(store, 'nav-v3').frontMatter.supersedes).toBeUndefined();
    expect(verifyStore(store).break).toBeNull();
  });

  it('changes status along the lifecycle with a reason, naming the successor when superseding', () => {
    const { store } = testStore();
    const ctx = commandContext(store);
    createPage(ctx, { slug: 'old', frontMatter: { ...sampleFrontMatter }, body: 'old' });
    createPage(ctx, { slug: 'new', frontMatter: { ...sampleFrontMatter, status: 'proposed' }, body: 'new' });
    expect(() => changeStatus(ctx, { slug: 'old', status: 'superseded', reason: 'Replaced' })).toThrow(/Name the page that supersedes this one/);
    expect(() => changeStatus(ctx, { slug: 'new', status: 'live', reason: 'Skip ahead' })).toThrow(/A proposed page can become approved or rejected, not live/);
    for (const status of ['approved', 'in-build', 'live']) changeStatus(ctx, { slug: 'new', status, reason: `Moved to ${status}` });
    const r = changeStatus(ctx, { slug: 'old', status: 'superseded', reason: 'The new build replaces it', supersededBy: 'new' });
    expect(r.page).toMatchObject({ summary: 'Status live → superseded: The new build replaces it', frontMatter: { status: 'superseded', superseded_by: ['new'] } });
    expect(getCurrentPage(store, 'new').frontMatter.supersedes).toEqual(['old']);
    symmetric(store);
    // Back in service: the successor link goes on both sides.
    changeStatus(ctx, { slug: 'old', status: 'live', reason: 'The new build was rolled back' });
    expect(getCurrentPage(store, 'new').frontMatter.supersedes).toBeUndefined();
    symmetric(store);
    const actions = store.unsafeDatabaseForTests().prepare("SELECT action FROM audit_events WHERE target = 'new' ORDER BY id").pluck().all();
    expect(actions).toEqual(['page.created', 'page.status_changed', 'page.status_changed', 'page.status_changed', 'page.saved', 'page.saved']);
  });

  it('refuses a page superseding itself or a page that does not exist, keeping nothing half-written', () => {
    const { store } = testStore();
    const ctx = commandContext(store);
    createPage(ctx, { slug: 'a', frontMatter: { ...sampleFrontMatter }, body: 'a' });
    expect(() => edit(store, 'a', { supersedes: ['a'] }, 'x')).toThrow(ValidationError);
    expect(() => edit(store, 'a', { supersedes: ['no-such-page'] }, 'x')).toThrow(/supersedes: No page has the slug no-such-page/);
    expect(store.pages.head('a')!.current_version).toBe(1);
  });
});
