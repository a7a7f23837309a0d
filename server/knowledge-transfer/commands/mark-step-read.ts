import type { CommandContext } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { currentVersion, type PathStep } from '../paths.js';
import { writeStepRead, type StepRead } from './shared.js';

export interface MarkStepReadInput {
  /** The reading path. */
  id: number;
  slug: string;
}

/**
 * The signed-in person (`ctx.actor.person`) marks a step read; the page version read is recorded. On a path not assigned to
 * them it counts as self-study: recorded, never refused.
 */
export function markStepRead(ctx: CommandContext, input: MarkStepReadInput): StepRead {
  const { id, slug } = input;
  const person = ctx.actor.person ?? null;
  const v = currentVersion(ctx.store, id);
  if (!person) throw new ValidationError([{ field: 'person', message: 'Your account is not linked to a person in the directory, so there is nobody to record the reading for. Ask an admin to link it.' }]);
  const steps = JSON.parse(v.steps) as PathStep[];
  if (!steps.some((s) => s.slug === slug)) throw new ValidationError([{ field: 'slug', message: `"${slug}" is not a step of "${v.title}".` }]);
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  return writeStepRead(ctx, { id, slug, person, version: head.current_version });
}
