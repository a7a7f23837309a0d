import { describe, expect, it } from 'vitest';
import { createPage, savePage } from '../../server/pages/commands.js';
import { markReviewed } from '../../server/pages/commands/mark-reviewed.js';
import { ForbiddenError } from '../../server/core/errors.js';
import { PhiGuard } from '../../server/phi/guard.js';
import { commandContext, sampleFrontMatter, seedPage, testStore } from '../helpers.js';

// The rules are the commands' own: called directly, with no route in front, they still hold.
describe('who may mark a page reviewed', () => {
  it('refuses a reader who does not own the page, and writes nothing', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const reader = commandContext(store, 'reader1', { actor: { username: 'reader1', role: 'reader', person: 'dokafor' } });
    expect(() => markReviewed(reader, { slug: page.slug, note: 'Looked' })).toThrow(ForbiddenError);
    expect(() => markReviewed(reader, { slug: page.slug, note: 'Looked' })).toThrow('Only the page\'s owners, editors and admins can mark it reviewed.');
    expect(store.pages.head(page.slug)!.last_reviewed_at).toBeNull();
  });

  it('lets a reader who owns the page (through their person), and an editor', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const owner = commandContext(store, 'maria', { actor: { username: 'maria', role: 'reader', person: page.frontMatter.owners[0]! } });
    expect(markReviewed(owner, { slug: page.slug }).version).toBe(1);
    const editor = commandContext(store, 'ed', { actor: { username: 'ed', role: 'editor', person: null } });
    expect(markReviewed(editor, { slug: page.slug }).version).toBe(1);
  });
});

describe('who may save over the PHI guard', () => {
  const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
  const draft = { frontMatter: { ...sampleFrontMatter, title: 'Override page' }, body: 'Call 555-867-5309 for help.' };

  it('refuses an editor who sends an override, even when the text is clean', () => {
    const { store } = testStore();
    const editor = commandContext(store, 'mreyes', { actor: { username: 'mreyes', role: 'editor' }, phi, phiOverride: { reason: 'test number' } });
    expect(() => createPage(editor, { ...draft, body: 'Nothing here.' })).toThrow(ForbiddenError);
    const page = seedPage(store);
    expect(() => savePage(editor, { slug: page.slug, frontMatter: page.frontMatter, body: 'Nothing here.', summary: 'x', baseVersion: 1 })).toThrow('Only an admin can save over the PHI guard.');
    expect(store.pages.head('override-page')).toBeUndefined();
  });

  it('lets an admin save over what the guard found', () => {
    const { store } = testStore();
    const admin = commandContext(store, 'mreyes', { actor: { username: 'mreyes', role: 'admin' }, phi, phiOverride: { reason: 'a public help-desk number' } });
    expect(createPage(admin, draft).version).toBe(1);
  });
});
