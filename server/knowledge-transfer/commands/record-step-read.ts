import type { CommandContext } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { currentVersion, type PathStep } from '../paths.js';
import { writeStepRead, type StepRead } from './shared.js';

export interface RecordStepReadInput {
  /** The reading path. */
  id: number;
  slug: string;
  /** Who read it: a person in the directory. */
  person: string;
  /** The page version read, which may be older than the current one. */
  version: number;
}

/**
 * Records that a person read a given version of a step's page: the demo content replays reads made before
 * a later edit with it, so "changed since you read it" has something to show. The step and version must exist.
 */
export function recordStepRead(ctx: CommandContext, input: RecordStepReadInput): StepRead {
  const { id, slug, person, version } = input;
  const v = currentVersion(ctx.store, id);
  const steps = JSON.parse(v.steps) as PathStep[];
  if (!steps.some((s) => s.slug === slug)) throw new ValidationError([{ field: 'slug', message: `"${slug}" is not a step of "${v.title}".` }]);
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  if (!Number.isInteger(version) || version < 1 || version > head.current_version) throw new ValidationError([{ field: 'version', message: `The page "${slug}" has versions 1 to ${head.current_version}.` }]);
  if (ctx.store.parties.get(person)?.kind !== 'person') throw new ValidationError([{ field: 'person', message: `No person has the handle ${person}.` }]);
  return writeStepRead(ctx, { id, slug, person, version });
}
