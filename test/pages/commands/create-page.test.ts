import { describe, expect, it } from 'vitest';
import { createPage } from '../../../server/pages/commands/create-page.js';
import { ForbiddenError, PayloadTooLargeError, ValidationError } from '../../../server/core/errors.js';
import { PhiGuard } from '../../../server/phi/guard.js';
import { auditCount, commandContext, outsiderContext, sampleFrontMatter, seedPage, seedRestrictedPage, testStore } from '../../helpers.js';

function counts(store: ReturnType<typeof testStore>['store']) {
  return {
    versions: store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM page_versions').pluck().get(),
    audit: store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get(),
    pages: store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM pages').pluck().get(),
  };
}

describe('createPage', () => {
  it('writes version 1 and its audit event together, and derives the slug from the title', () => {
    const { store } = testStore();
    const page = createPage(commandContext(store), { frontMatter: { ...sampleFrontMatter, title: 'Sepsis Screening BPA — Adult ED' }, body: 'Body' });
    expect(page.slug).toBe('sepsis-screening-bpa-adult-ed');
    expect(page.version).toBe(1);
    expect(page.prevHash).toBeNull();
    expect(page.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(counts(store)).toEqual({ versions: 1, audit: 1, pages: 1 });
    const [event] = store.audit.forTarget(page.slug);
    expect(event).toMatchObject({ actor: 'mreyes', action: 'page.created' });
  });

  it('refuses a duplicate slug with 409 and writes nothing', () => {
    const { store } = testStore();
    seedPage(store);
    const before = counts(store);
    const err = (() => { try { seedPage(store); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).statusCode).toBe(409);
    expect((err as ValidationError).byField().slug).toMatch(/already exists/);
    expect(counts(store)).toEqual(before);
  });

  it('refuses unknown owners, naming them', () => {
    const { store } = testStore();
    expect(() => createPage(commandContext(store), { frontMatter: { ...sampleFrontMatter, owners: ['mreyes', 'ghost'] }, body: '' })).toThrow(/Unknown owner: ghost/);
    expect(counts(store).pages).toBe(0);
  });

  it('refuses a body over the size limit with PayloadTooLarge', () => {
    const { store } = testStore();
    expect(() => createPage(commandContext(store, 'mreyes', { maxBodyBytes: 2048 }), { frontMatter: sampleFrontMatter, body: 'x'.repeat(4096) })).toThrow(PayloadTooLargeError);
  });

  it('reports every field problem at once', () => {
    const { store } = testStore();
    try {
      createPage(commandContext(store), { slug: 'Bad Slug', frontMatter: { title: 'x', owners: [] }, body: '' });
      expect.unreachable();
    } catch (e) {
      expect(Object.keys((e as ValidationError).byField()).sort()).toEqual(['owners', 'slug', 'system', 'title', 'why']);
    }
  });
});

describe('createPage: permissions', () => {
  it('lets only an admin save over the PHI guard', () => {
    const { store } = testStore();
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    const draft = { frontMatter: { ...sampleFrontMatter, title: 'Override page' }, body: 'Call 555-867-5309 for help.' };
    const editor = commandContext(store, 'ed', { actor: { username: 'ed', role: 'editor' }, phi, phiOverride: { reason: 'test number' } });
    expect(() => createPage(editor, draft)).toThrow(ForbiddenError);
    expect(auditCount(store)).toBe(0);
    const admin = commandContext(store, 'ad', { actor: { username: 'ad', role: 'admin' }, phi, phiOverride: { reason: 'test number' } });
    expect(createPage(admin, draft).version).toBe(1);
    expect(auditCount(store)).toBe(1);
  });

  it('answers a slug a hidden page holds exactly as an unavailable one', () => {
    const { store } = testStore();
    seedRestrictedPage(store);
    try {
      createPage(outsiderContext(store), { slug: 'restricted-page', frontMatter: sampleFrontMatter, body: '' });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).byField().slug).toBe('This address is not available; choose another slug.');
    }
  });
});
