import type { CommandContext } from '../../core/context.js';
import { type FrontMatter } from '../schema.js';
import { type Touched, syncSupersession } from './shared.js';

export interface ReconcileSupersessionInput {
  slug: string;
}

/**
 * Gives every page this page names in `supersedes` or `superseded_by` the link back, for importers that
 * write pages in an order where the other page arrived later. Does nothing when the links already agree.
 */
export function reconcileSupersession(ctx: CommandContext, input: ReconcileSupersessionInput): void {
  const { slug } = input;
  const head = ctx.store.pages.head(slug);
  if (!head) return;
  const fm = JSON.parse(ctx.store.pages.version(head.id, head.current_version)!.front_matter) as FrontMatter;
  const touched: Touched[] = [];
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => syncSupersession({ ...ctx, verbatim: false }, slug, null, fm, at, touched));
  for (const t of touched) ctx.events?.emit('page-changed', { ...t, created: false });
}

