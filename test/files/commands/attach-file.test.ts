import { describe, expect, it } from 'vitest';
import { attachFile } from '../../../server/files/commands/attach-file.js';
import { FilePhiRefused } from '../../../server/files/commands/shared.js';
import { DEFAULT_INSPECT_LIMITS } from '../../../server/files/inspect.js';
import { ForbiddenError, NotFoundError } from '../../../server/core/errors.js';
import { PhiGuard } from '../../../server/phi/guard.js';
import type { CommandContext } from '../../../server/core/context.js';
import { auditCount, commandContext, outsiderContext, seedPage, seedRestrictedPage, testStore } from '../../helpers.js';

const withLimits = (ctx: CommandContext) => ({ ...ctx, limits: DEFAULT_INSPECT_LIMITS });
const notes = { name: 'Interface notes.txt', bytes: Buffer.from('Interface notes: the ADT feed retries every minute.') };

describe('attachFile', () => {
  it('stores the file once by digest, lists it on the page and records one file.attached event', async () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const file = await attachFile(withLimits(commandContext(store)), { slug: page.slug, ...notes });
    expect(file).toMatchObject({ name: 'Interface-notes.txt', type: 'text/plain; charset=utf-8', size: notes.bytes.length });
    expect(file.url).toBe(`/p/${page.slug}/files/${file.sha256}/Interface-notes.txt`);
    expect(store.files.meta(file.sha256)).toBeDefined();
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget(page.slug).at(-1)!.action).toBe('file.attached');
  });

  it('refuses a file whose text the PHI guard flags, and an alt text too long, storing nothing', async () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    await expect(attachFile(withLimits(commandContext(store, 'mreyes', { phi })), { slug: page.slug, name: 'call.txt', bytes: Buffer.from('Call the patient at 555-867-5309.') })).rejects.toBeInstanceOf(FilePhiRefused);
    await expect(attachFile(withLimits(commandContext(store)), { slug: page.slug, ...notes, alt: 'x'.repeat(301) })).rejects.toThrow(/at most 300 characters/);
    expect(auditCount(store)).toBe(before);
  });

  it('lets only an admin attach over the PHI guard, and hides a restricted page from an outsider', async () => {
    const { store } = testStore();
    const page = seedPage(store);
    seedRestrictedPage(store);
    const before = auditCount(store);
    const override = { phi: new PhiGuard({ mrnPatterns: [], rules: [] }), phiOverride: { reason: 'test line' } };
    const phone = { slug: page.slug, name: 'call.txt', bytes: Buffer.from('Test line 555-867-5309.') };
    await expect(attachFile(withLimits(commandContext(store, 'ed', { actor: { username: 'ed', role: 'editor' }, ...override })), phone)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attachFile(withLimits(outsiderContext(store)), { slug: 'restricted-page', ...notes })).rejects.toBeInstanceOf(NotFoundError);
    expect(auditCount(store)).toBe(before);
    await attachFile(withLimits(commandContext(store, 'ad', { actor: { username: 'ad', role: 'admin' }, ...override })), phone);
    expect(auditCount(store)).toBe(before + 1);
  });
});
