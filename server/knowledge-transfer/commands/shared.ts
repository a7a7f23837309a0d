import { recordAudit } from '../../audit/log.js';
import type { CommandContext } from '../../core/context.js';

export interface StepRead {
  slug: string;
  /** The page version read. */
  version: number;
  /** True when the path is not assigned to the reader. */
  self_study: boolean;
}

/** Writes one read of a step's page and its audit event, in one transaction; a read off the person's assigned paths is self-study. */
export function writeStepRead(ctx: CommandContext, input: { id: number; slug: string; person: string; version: number }): StepRead {
  const { id, slug, person, version } = input;
  const selfStudy = !ctx.store.transfer.isAssigned(id, person);
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    ctx.store.transfer.insertRead({ path_id: id, person, slug, page_version: version, read_at: at, self_study: selfStudy ? 1 : 0 });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'path.step_read', target: `path:${id}`, client: ctx.client, at, details: { person, slug, version, ...(selfStudy ? { self_study: true } : {}) } });
  });
  return { slug, version, self_study: selfStudy };
}
