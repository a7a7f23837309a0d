import { describe, expect, it } from 'vitest';
import { recordStepRead } from '../../../server/knowledge-transfer/commands/record-step-read.js';
import { savePath } from '../../../server/knowledge-transfer/commands/save-path.js';
import { savePage } from '../../../server/pages/commands.js';
import { auditCount, commandContext, sampleFrontMatter } from '../../helpers.js';
import { as, handoverStore } from './fixture.js';

describe('recordStepRead', () => {
  it('records a read of an older version with one audit event', () => {
    const { store } = handoverStore();
    const { id } = savePath(as(store, 'mreyes'), { title: 'First weeks', steps: [{ slug: 'lab-feed' }] });
    savePage(commandContext(store), { slug: 'lab-feed', frontMatter: { ...sampleFrontMatter, title: 'lab-feed', owners: ['dokafor'] }, body: 'Changed.', summary: 'Edit', baseVersion: 1 });
    const before = auditCount(store);
    expect(recordStepRead(as(store, 'dokafor'), { id, slug: 'lab-feed', person: 'dokafor', version: 1 })).toEqual({ slug: 'lab-feed', version: 1, self_study: true });
    expect(store.transfer.readsBy('dokafor').map((r) => r.page_version)).toEqual([1]);
    expect(auditCount(store)).toBe(before + 1);
  });

  it('refuses a page that is not a step, a version the page never had and someone not in the directory', () => {
    const { store } = handoverStore();
    const { id } = savePath(as(store, 'mreyes'), { title: 'First weeks', steps: [{ slug: 'lab-feed' }] });
    const before = auditCount(store);
    const ctx = as(store, 'dokafor');
    expect(() => recordStepRead(ctx, { id, slug: 'adt-feed', person: 'dokafor', version: 1 })).toThrow(/is not a step of/);
    expect(() => recordStepRead(ctx, { id, slug: 'lab-feed', person: 'dokafor', version: 2 })).toThrow(/has versions 1 to 1/);
    expect(() => recordStepRead(ctx, { id, slug: 'lab-feed', person: 'epic-clindoc', version: 1 })).toThrow(/No person has the handle/);
    expect(auditCount(store)).toBe(before);
  });
});
