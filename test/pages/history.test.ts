import { describe, expect, it } from 'vitest';
import { restorePage, savePage } from '../../server/pages/commands.js';
import { NotFoundError, ValidationError } from '../../server/pages/errors.js';
import { blame, diffText, diffVersions, pageHistory } from '../../server/pages/history.js';
import { getCurrentPage } from '../../server/pages/queries.js';
import { commandContext, sampleFrontMatter, seedPage, testStore } from '../helpers.js';

function threeVersions() {
  const { store } = testStore();
  seedPage(store, 'p', 'alpha\nbeta\ngamma');
  savePage(commandContext(store, 'dokafor'), { slug: 'p', frontMatter: { ...sampleFrontMatter, status: 'retired' }, body: 'alpha\nbeta two\ngamma', summary: 'Second', baseVersion: 1 });
  savePage(commandContext(store, 'mreyes'), { slug: 'p', frontMatter: { ...sampleFrontMatter, status: 'retired', why: 'A better why.' }, body: 'alpha\nbeta two\ngamma\ndelta', summary: 'Third', baseVersion: 2 });
  return store;
}

describe('history', () => {
  it('lists versions newest first with the fields each changed', () => {
    const h = pageHistory(threeVersions(), 'p');
    expect(h.map((v) => [v.version, v.changed])).toEqual([[3, ['why', 'body']], [2, ['status', 'body']], [1, []]]);
  });

  it('diffs any two versions field by field and line by line, with word-level parts', () => {
    const d = diffVersions(threeVersions(), 'p', 1, 3);
    expect(d.fields).toEqual([
      { field: 'why', from: sampleFrontMatter.why, to: 'A better why.' },
      { field: 'status', from: 'live', to: 'retired' },
    ]);
    expect(d.stats).toEqual({ added: 2, removed: 1 });
    const removed = d.lines.find((l) => l.kind === 'removed')!;
    const added = d.lines.find((l) => l.kind === 'added')!;
    expect(removed).toMatchObject({ text: 'beta', oldNumber: 2 });
    expect(added.words).toEqual([{ text: 'beta', kind: 'same' }, { text: ' two', kind: 'added' }]);
  });

  it('gives the reverse diff when from is after to', () => {
    const d = diffVersions(threeVersions(), 'p', 3, 1);
    expect(d.fields[1]).toEqual({ field: 'status', from: 'retired', to: 'live' });
    expect(d.lines.filter((l) => l.kind === 'removed').map((l) => l.text)).toEqual(['beta two', 'delta']);
  });

  it('answers a missing version with the valid range', () => {
    expect(() => diffVersions(threeVersions(), 'p', 1, 9)).toThrow('Page "p" has no version 9; its versions are 1 to 3.');
  });

  it('does not count a final newline as a change', () => {
    expect(diffText('a\nb', 'a\nb\n').lines.every((l) => l.kind === 'same')).toBe(true);
  });

  it('blames each current line on the version that introduced it', () => {
    const lines = blame(threeVersions(), 'p');
    expect(lines.map((l) => [l.text, l.version, l.author])).toEqual([
      ['alpha', 1, 'mreyes'],
      ['beta two', 2, 'dokafor'],
      ['gamma', 1, 'mreyes'],
      ['delta', 3, 'mreyes'],
    ]);
  });
});

describe('restorePage', () => {
  it('writes a new version with the old content and a summary naming it, audited as a restore', () => {
    const store = threeVersions();
    const { page } = restorePage(commandContext(store, 'dokafor'), { slug: 'p', version: 1, summary: 'Threshold change was wrong' });
    expect(page).toMatchObject({ version: 4, body: 'alpha\nbeta\ngamma', summary: 'Restored from version 1: Threshold change was wrong', author: 'dokafor' });
    expect(getCurrentPage(store, 'p').frontMatter.status).toBe('live');
    const events = store.audit.forTarget('p').map((e) => e.action);
    expect(events.at(-1)).toBe('page.restored');
    expect(JSON.parse(store.audit.forTarget('p').at(-1)!.details)).toMatchObject({ restored_from: 1, status: { from: 'retired', to: 'live' } });
  });

  it('refuses a missing version, an empty reason, and a restore that changes nothing', () => {
    const store = threeVersions();
    expect(() => restorePage(commandContext(store), { slug: 'p', version: 7, summary: 'x' })).toThrow(NotFoundError);
    expect(() => restorePage(commandContext(store), { slug: 'p', version: 1, summary: ' ' })).toThrow(/Say why/);
    expect(() => restorePage(commandContext(store), { slug: 'p', version: 3, summary: 'again' })).toThrow(ValidationError);
    expect(store.pages.head('p')!.current_version).toBe(3);
  });
});
