import { NotFoundError, ValidationError, type FieldError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { REASON_MAX } from '../../core/rules.js';
import { STATUSES, type FrontMatter, type PageStatus } from '../schema.js';
import { REVIEWED_STATUSES } from '../review.js';
import { STATUS_TRANSITIONS } from '../lifecycle.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { type SaveResult, saveVersion, hiddenFromActor } from './shared.js';

export interface StatusChangeInput {
  slug: string;
  status: string;
  reason: string;
  /** For a change to superseded: the page that takes over, when the page names none yet. */
  supersededBy?: string;
}

/**
 * Moves a page along its lifecycle (proposed → approved → in-build → live → superseded or retired, and
 * rejected), as a new version whose summary carries the reason.
 */
export function changeStatus(ctx: CommandContext, input: StatusChangeInput): SaveResult {
  const { slug } = input;
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  const reason = (input.reason ?? '').trim();
  const status = (input.status ?? '').trim() as PageStatus;
  const errors: FieldError[] = [];
  if (!STATUSES.includes(status)) errors.push({ field: 'status', message: `Status must be one of: ${STATUSES.join(', ')}.` });
  else if (status === head.status) errors.push({ field: 'status', message: `The page is already ${status}.` });
  else if (!STATUS_TRANSITIONS[head.status as PageStatus].includes(status)) {
    errors.push({ field: 'status', message: `A ${head.status} page can become ${STATUS_TRANSITIONS[head.status as PageStatus].join(' or ')}, not ${status}.` });
  }
  if (!reason) errors.push({ field: 'reason', message: 'Say why the status changes: a status change needs a reason.' });
  else if (reason.length > REASON_MAX) errors.push({ field: 'reason', message: `The reason must be at most ${REASON_MAX} characters.` });
  const current = ctx.store.pages.version(head.id, head.current_version)!;
  const fm = JSON.parse(current.front_matter) as FrontMatter;
  const successor = (input.supersededBy ?? '').trim().toLowerCase();
  if (status === 'superseded' && !successor && !fm.superseded_by?.length) {
    errors.push({ field: 'superseded_by', message: 'Name the page that supersedes this one.' });
  }
  // Back in service would unname the successor, and the person may not see it (the page says "superseded by a restricted page").
  if (STATUSES.includes(status) && REVIEWED_STATUSES.includes(status) && (fm.superseded_by ?? []).some((s) => hiddenFromActor(ctx).has(s))) {
    errors.push({ field: 'status', message: 'A restricted page you cannot see supersedes this one; only a member of its team can put this page back in service.' });
  }
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { reason });
  let superseded_by = successor && !(fm.superseded_by ?? []).includes(successor) ? [...(fm.superseded_by ?? []), successor] : fm.superseded_by;
  // Back in service: it no longer has a successor (and the successor no longer supersedes it).
  if (REVIEWED_STATUSES.includes(status)) superseded_by = undefined;
  return saveVersion(
    ctx,
    { slug, frontMatter: { ...fm, status, superseded_by }, body: current.body, summary: `Status ${head.status} → ${status}: ${reason}`, baseVersion: head.current_version },
    'page.status_changed',
    { reason },
  );
}
