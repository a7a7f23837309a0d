import { describe, expect, it } from 'vitest';
import { createPage } from '../../server/pages/commands.js';
import { departPerson } from '../../server/people/commands/depart-person.js';
import { reassignAllOwned } from '../../server/people/commands/reassign-all-owned.js';
import { reassignPages } from '../../server/people/commands/reassign-pages.js';
import { ValidationError } from '../../server/core/errors.js';
import { commandContext, sampleFrontMatter, testStore } from '../helpers.js';

// The reassignment rules are the command's own: called directly they refuse what the form and API refuse.
function setup() {
  const { store } = testStore();
  const ctx = commandContext(store, 'mreyes');
  createPage(ctx, { slug: 'alone', frontMatter: { ...sampleFrontMatter, title: 'Alone', owners: ['dokafor'] }, body: '' });
  return { store, ctx };
}

const fields = (f: () => unknown) => { try { f(); } catch (e) { if (e instanceof ValidationError) return e.byField(); throw e; } return {}; };

describe('reassigning pages', () => {
  it('refuses a new owner who has departed, beside the field it was chosen in, and moves nothing', () => {
    const { store, ctx } = setup();
    departPerson(ctx, { handle: 'mreyes', date: '2026-10-01', reason: 'Left', today: '2026-10-02' });
    expect(fields(() => reassignPages(ctx, { from: 'dokafor', moves: [{ slug: 'alone', to: 'mreyes', field: 'to:alone' }], reason: 'Moving' }))).toEqual({ 'to:alone': expect.stringMatching(/has departed/) });
    expect(store.pages.ownersOf(store.pages.head('alone')!.id)).toEqual(['dokafor']);
  });

  it('refuses moving pages to the person they move from, and an empty choice', () => {
    const { ctx } = setup();
    expect(fields(() => reassignPages(ctx, { from: 'dokafor', moves: [{ slug: 'alone', to: 'dokafor' }], reason: 'Moving' })).to).toMatch(/cannot move to the person they move from/);
    expect(fields(() => reassignPages(ctx, { from: 'dokafor', moves: [], reason: 'Moving' })).summary).toMatch(/at least one page/);
  });

  it('refuses an unknown from or to when moving everything, and moves all when both are fine', () => {
    const { store, ctx } = setup();
    expect(fields(() => reassignAllOwned(ctx, { from: 'ghost', to: 'nobody', reason: 'Moving' }))).toEqual({ from: expect.stringMatching(/no person or team "ghost"/), to: expect.stringMatching(/no person or team "nobody"/) });
    expect(reassignAllOwned(ctx, { from: 'dokafor', to: 'mreyes', reason: 'Moving' }).map((p) => p.slug)).toEqual(['alone']);
    expect(store.pages.ownersOf(store.pages.head('alone')!.id)).toEqual(['mreyes']);
  });
});
