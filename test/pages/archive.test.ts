import { describe, expect, it } from 'vitest';
import { savePage, setArchived } from '../../server/pages/commands.js';
import { ValidationError } from '../../server/pages/errors.js';
import { getCurrentPage, listPages, listVersions, recentChanges } from '../../server/pages/queries.js';
import { commandContext, sampleFrontMatter, seedPage, testStore } from '../helpers.js';

describe('archive and unarchive', () => {
  it('are versions: the page leaves the lists but stays readable with its history', () => {
    const { store } = testStore();
    seedPage(store);
    const archived = setArchived(commandContext(store), { slug: 'sepsis-screening-bpa', archived: true, summary: 'Replaced by the predictive model' });
    expect(archived).toMatchObject({ version: 2, archived: true, summary: 'Replaced by the predictive model' });
    expect(listPages(store, 100, 0).pages).toHaveLength(0);
    expect(recentChanges(store, 10)).toHaveLength(0);
    expect(getCurrentPage(store, 'sepsis-screening-bpa').archived).toBe(true);
    expect(listVersions(store, 'sepsis-screening-bpa')).toHaveLength(2);
    expect(store.audit.forTarget('sepsis-screening-bpa').map((e) => e.action)).toEqual(['page.created', 'page.archived']);

    const back = setArchived(commandContext(store), { slug: 'sepsis-screening-bpa', archived: false, summary: 'Model was not approved' });
    expect(back).toMatchObject({ version: 3, archived: false });
    expect(listPages(store, 100, 0).pages).toHaveLength(1);
  });

  it('refuses edits to an archived page, a repeated archive, and an archive without a reason', () => {
    const { store } = testStore();
    seedPage(store);
    expect(() => setArchived(commandContext(store), { slug: 'sepsis-screening-bpa', archived: true, summary: ' ' })).toThrow(/Say why/);
    setArchived(commandContext(store), { slug: 'sepsis-screening-bpa', archived: true, summary: 'Gone' });
    expect(() => setArchived(commandContext(store), { slug: 'sepsis-screening-bpa', archived: true, summary: 'Again' })).toThrow(/already archived/);
    const err = (() => { try { savePage(commandContext(store), { slug: 'sepsis-screening-bpa', frontMatter: sampleFrontMatter, body: 'x', summary: 'x', baseVersion: 2 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).statusCode).toBe(409);
    expect((err as ValidationError).message).toMatch(/unarchive it before editing/);
  });
});
