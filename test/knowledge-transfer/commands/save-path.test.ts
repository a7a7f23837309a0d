import { describe, expect, it } from 'vitest';
import { savePath } from '../../../server/knowledge-transfer/commands/save-path.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { PhiGuard } from '../../../server/phi/guard.js';
import { auditCount, outsiderContext, seedRestrictedPage } from '../../helpers.js';
import { as, handoverStore } from './fixture.js';

describe('savePath', () => {
  it('saves a new path and then a new version of it, one audit event each', () => {
    const { store } = handoverStore();
    const before = auditCount(store);
    const ctx = as(store, 'mreyes');
    const { id, version } = savePath(ctx, { title: ' First weeks ', steps: [{ slug: 'lab-feed', note: 'Start here' }] });
    expect(version).toBe(1);
    expect(savePath(ctx, { id, title: 'First weeks', steps: [{ slug: 'lab-feed' }, { slug: 'adt-feed' }] })).toEqual({ id, version: 2 });
    expect(JSON.parse(store.transfer.pathVersion(id, 2)!.steps)).toEqual([{ slug: 'lab-feed' }, { slug: 'adt-feed' }]);
    expect(auditCount(store)).toBe(before + 2);
  });

  it('refuses no title, no steps, a missing page, a page twice, an unknown path and patient information', () => {
    const { store } = handoverStore();
    const before = auditCount(store);
    const ctx = as(store, 'mreyes');
    expect(() => savePath(ctx, { title: '', steps: [{ slug: 'lab-feed' }] })).toThrow(/needs a title/);
    expect(() => savePath(ctx, { title: 'T', steps: [] })).toThrow(/1 to 100 steps/);
    expect(() => savePath(ctx, { title: 'T', steps: [{ slug: 'nope' }] })).toThrow(/No page "nope"/);
    expect(() => savePath(ctx, { title: 'T', steps: [{ slug: 'lab-feed' }, { slug: 'lab-feed' }] })).toThrow(/twice/);
    expect(() => savePath(ctx, { id: 99, title: 'T', steps: [{ slug: 'lab-feed' }] })).toThrow(NotFoundError);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    try {
      savePath({ ...ctx, phi }, { title: 'Call (608) 555-0142', steps: [{ slug: 'lab-feed' }] });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).kind).toBe('refused');
    }
    expect(auditCount(store)).toBe(before);
  });

  it('reports a page the author may not see as missing', () => {
    const { store } = handoverStore();
    seedRestrictedPage(store);
    expect(() => savePath(outsiderContext(store), { title: 'T', steps: [{ slug: 'restricted-page' }] })).toThrow(/No page "restricted-page"/);
  });
});
