import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { REASON_MAX } from '../../core/rules.js';
import { orderFrontMatter, type FrontMatter } from '../schema.js';
import { toPageVersion, type PageVersion } from '../model.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { advanceHead, writeVersion } from './shared.js';

export interface OwnershipMove {
  slug: string;
  /** The owner that takes `from`'s place on this page. */
  to: string;
}

export interface MoveOwnershipInput {
  /** The owner whose place others take. */
  from: string;
  moves: OwnershipMove[];
  reason: string;
  /** Joins the audit event of each move (a handover names its plan there). */
  details?: Record<string, unknown>;
}

/**
 * Moves pages from one owner to others: one new version per page ("Ownership moved from X to Y: reason")
 * with its audit event, all in one transaction, so a reassignment is applied whole or not at all.
 * Callers check the new owners (see checkSuccessor); this checks that each page is owned by `from`.
 */
export function moveOwnership(ctx: CommandContext, input: MoveOwnershipInput): PageVersion[] {
  const { from, moves, reason, details = {} } = input;
  const why = (reason ?? '').trim();
  if (!why) throw new ValidationError([{ field: 'summary', message: 'Say why the pages move: the reason goes into each page\'s history.' }]);
  if (why.length > REASON_MAX) throw new ValidationError([{ field: 'summary', message: `The reason must be at most ${REASON_MAX} characters.` }]);
  refuseIfPhi(ctx.phi, { summary: why });
  const name = (handle: string) => ctx.store.parties.get(handle)?.name ?? handle;
  const at = (ctx.at ?? new Date()).toISOString();
  const rows = ctx.store.transaction(() =>
    moves.map(({ slug, to }) => {
      const head = ctx.store.pages.head(slug);
      if (!head) throw new NotFoundError(`There is no page "${slug}".`);
      const current = ctx.store.pages.version(head.id, head.current_version)!;
      const fm = JSON.parse(current.front_matter) as FrontMatter;
      if (!fm.owners.includes(from)) throw new ValidationError([{ field: 'from', message: `The page "${slug}" is not owned by ${from}.` }], 409);
      if (head.archived) throw new ValidationError([{ field: 'from', message: `The page "${slug}" is archived; unarchive it before moving it.` }], 409);
      const owners = [...new Set(fm.owners.map((o) => (o === from ? to : o)))];
      const summary = `Ownership moved from ${name(from)} to ${name(to)}: ${why}`;
      const version = head.current_version + 1;
      const next = orderFrontMatter({ ...fm, owners });
      const v = writeVersion(ctx, head, version, current.hash, next, current.body, summary, at, 0);
      advanceHead(ctx, head, v, next, at, { action: 'page.ownership_moved', details: { summary, from, to, ...details } }, 0);
      return v;
    }),
  );
  for (const v of rows) ctx.events?.emit('page-changed', { slug: v.slug, version: v.version, created: false });
  return rows.map(toPageVersion);
}
