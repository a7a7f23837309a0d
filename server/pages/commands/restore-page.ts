import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { type SaveResult, saveVersion } from './shared.js';

export interface RestoreInput {
  slug: string;
  version: number;
  summary: string;
}

/**
 * Makes the content of an earlier version current again, as a new version: history only grows, so the
 * restore itself stays visible.
 */
export function restorePage(ctx: CommandContext, input: RestoreInput): SaveResult {
  const { slug } = input;
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  const source = Number.isInteger(input.version) ? ctx.store.pages.version(head.id, input.version) : undefined;
  if (!source) throw new NotFoundError(`Page "${slug}" has no version ${input.version}; its versions are 1 to ${head.current_version}.`);
  const why = (input.summary ?? '').trim();
  if (!why) throw new ValidationError([{ field: 'summary', message: 'Say why this version is being restored.' }]);
  refuseIfPhi(ctx.phi, { summary: why });
  const result = saveVersion(
    ctx,
    { slug, frontMatter: JSON.parse(source.front_matter) as Record<string, unknown>, body: source.body, summary: `Restored from version ${source.version}: ${why}`, baseVersion: head.current_version },
    'page.restored',
    { restored_from: source.version },
  );
  if (result.unchanged) {
    throw new ValidationError([{ field: 'version', message: `The current version already has the content of version ${source.version}; nothing to restore.` }]);
  }
  return result;
}
