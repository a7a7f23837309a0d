import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandContext, privacyTeam, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';
import { createPage, savePage, setArchived } from '../../server/pages/commands.js';
import { migrate, readMigrations } from '../../server/store/migrate.js';
import { MIGRATIONS_DIR } from '../../server/paths.js';
import { pagesCiting } from '../../server/integrations/lookups.js';
import { testStore } from '../helpers.js';

let t: TestApp;
let editor: Record<string, string>;
let member: Record<string, string>;

beforeAll(async () => {
  t = await testApp({ publicUrl: 'https://wiki.example.org' });
  await privacyTeam(t.store);
  editor = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
  member = { authorization: `Bearer ${tokenFor(t.store, 'pat')}` };
  const ctx = commandContext(t.store);
  createPage(ctx, { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter, tickets: ['CHG0031234', 'INC0000042'], records: ['BPA 1234567'] }, body: 'x' });
  createPage(ctx, { slug: 'sepsis-order-set', frontMatter: { ...sampleFrontMatter, title: 'Sepsis order set', tickets: ['CHG0031234'], records: ['OS_7700'] }, body: 'x' });
  createPage(commandContext(t.store, 'pwong'), { slug: 'vip-handling', frontMatter: { ...sampleFrontMatter, title: 'VIP handling', owners: ['pwong'], tickets: ['CHG0031234'], restricted_to: ['privacy'] }, body: 'x' });
  createPage(ctx, { slug: 'old-bpa', frontMatter: { ...sampleFrontMatter, title: 'Old BPA', tickets: ['CHG0031234'] }, body: 'x' });
  setArchived(ctx, { slug: 'old-bpa', archived: true, summary: 'Gone' });
  // A ticket cited only by an older version no longer counts.
  createPage(ctx, { slug: 'moved-on', frontMatter: { ...sampleFrontMatter, title: 'Moved on', tickets: ['CHG0099999'], records: [] }, body: 'x' });
  savePage(ctx, { slug: 'moved-on', frontMatter: { ...sampleFrontMatter, title: 'Moved on', tickets: [], records: [] }, body: 'x', summary: 'Ticket closed', baseVersion: 1 });
});
afterAll(async () => { await t.close(); });

const get = async (url: string, headers = editor) => {
  const res = await t.app.inject({ url, headers });
  expect(res.statusCode, url).toBe(200);
  return res.json() as { ticket?: string; record?: string; pages: { slug: string; title: string; system: string; status: string; url: string; version: number }[] };
};

describe('ITSM lookups', () => {
  it('lists the pages citing a ticket, however the ID is spelled', async () => {
    for (const id of ['CHG0031234', 'chg0031234', 'CHG-0031234', 'chg 0031234', 'Chg_0031234']) {
      const got = await get(`/api/tickets/${encodeURIComponent(id)}`);
      expect(got.ticket, id).toMatch(/^CHG_?0031234$/);
      expect(got.pages.map((p) => p.slug), id).toEqual(['sepsis-order-set', 'sepsis-bpa']);
    }
    expect((await get('/api/tickets/CHG0031234')).pages[1]).toEqual({
      slug: 'sepsis-bpa', title: 'Sepsis screening BPA', system: 'Epic', status: 'live', url: 'https://wiki.example.org/p/sepsis-bpa', version: 1,
    });
  });

  it('lists the pages citing a build record, however the ID is spelled', async () => {
    for (const id of ['BPA 1234567', 'bpa1234567', 'BPA-1234567', 'bpa_1234567']) {
      expect((await get(`/api/records/${encodeURIComponent(id)}`)).pages.map((p) => p.slug), id).toEqual(['sepsis-bpa']);
    }
    expect((await get('/api/records/os-7700')).pages.map((p) => p.slug)).toEqual(['sepsis-order-set']);
  });

  it('answers 200 with an empty list when no page cites it, or only an old version did', async () => {
    expect(await get('/api/tickets/CHG0000000')).toEqual({ ticket: 'CHG0000000', pages: [] });
    expect((await get('/api/tickets/CHG0099999')).pages).toEqual([]);
    expect((await get('/api/records/BPA%209999999')).pages).toEqual([]);
  });

  it('shows a restricted page only to its team', async () => {
    expect((await get('/api/tickets/CHG0031234', member)).pages.map((p) => p.slug)).toEqual(['sepsis-order-set', 'sepsis-bpa', 'vip-handling']);
    expect(JSON.stringify(await get('/api/tickets/CHG0031234'))).not.toContain('vip');
  });

  it('needs sign-in, and refuses an ID too long to be one', async () => {
    expect((await t.app.inject({ url: '/api/tickets/CHG0031234' })).statusCode).toBe(401);
    const long = await t.app.inject({ url: `/api/records/${'x'.repeat(200)}`, headers: editor });
    expect(long.statusCode).toBe(414);
    expect(long.json().message).toBeTruthy();
  });

  it('finds the pages of a store written before lookups existed, once migrated', () => {
    const { store } = testStore();
    createPage(commandContext(store), { slug: 'older-page', frontMatter: { ...sampleFrontMatter, tickets: ['CHG0031234'] }, body: 'x' });
    // Take the store back to before migration 011, with its pages, and migrate it again.
    const db = store.unsafeDatabaseForTests();
    db.exec('DROP TRIGGER page_citations_follow_versions; DROP TABLE page_citations; DROP TABLE integration_attempts; DROP TABLE integration_deliveries; DROP TABLE integrations; DELETE FROM schema_migrations WHERE version = 11;');
    expect(migrate(db, readMigrations(MIGRATIONS_DIR))).toEqual([11]);
    expect(pagesCiting(store, 'tickets', 'chg-0031234', new Set(), undefined).map((p) => p.slug)).toEqual(['older-page']);
    expect(pagesCiting(store, 'records', 'bpa1234567', new Set(), undefined).map((p) => p.slug)).toEqual(['older-page']);
    store.close();
  });
});
