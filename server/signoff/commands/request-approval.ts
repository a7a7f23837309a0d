import type { CommandContext } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { recordAudit } from '../../audit/log.js';
import { canSee } from '../../auth/visibility.js';
import { restrictionOf, approversFor } from '../approvals.js';

export interface RequestApprovalInput {
  slug: string;
}

/**
 * Asks the people who may approve a page to sign its current version: one `approval.requested` event
 * (the notifications consumer delivers it) and a row per approver for their queue.
 */
export function requestApproval(ctx: CommandContext, input: RequestApprovalInput): { slug: string; version: number; approvers: string[] } {
  const { slug } = input;
  const at = (ctx.at ?? new Date()).toISOString();
  return ctx.store.transaction(() => {
    const head = ctx.store.pages.head(slug);
    if (!head || (ctx.actor.viewer && !canSee(restrictionOf(head), ctx.actor.viewer))) throw new NotFoundError(`There is no page "${slug}".`);
    if (head.archived) throw new ValidationError([{ field: 'slug', message: `The page "${slug}" is archived; unarchive it before asking for approval.` }], 'conflict');
    const author = ctx.store.pages.version(head.id, head.current_version)!.author;
    const already = new Set(ctx.store.signatures.forPage(head.id).filter((s) => s.version === head.current_version && s.meaning === 'approved').map((s) => s.signer));
    const approvers = approversFor(ctx.store, head, [ctx.actor.username, author]).filter((u) => !already.has(u));
    if (approvers.length === 0) {
      throw new ValidationError([{ field: 'approvers', message: `Nobody else can approve version ${head.current_version}: approvers are admins and members of the owners' teams, other than its author and you, who can see the page.` }], 'conflict');
    }
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'approval.requested', target: slug, client: ctx.client, at, details: { version: head.current_version, approvers } });
    for (const a of approvers) ctx.store.signatures.addRequest(head.id, head.current_version, ctx.actor.username, at, a);
    return { slug, version: head.current_version, approvers };
  });
}
