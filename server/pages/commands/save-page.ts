import type { CommandContext } from '../../core/context.js';
import { refuseOverrideUnlessAdmin } from '../../core/permissions.js';
import { type SavePageInput, type SaveResult, saveVersion } from './shared.js';

/**
 * Saves a new version of a page. Refuses with a conflict when the page moved on since `baseVersion`,
 * so that one person never silently overwrites another.
 */
export function savePage(ctx: CommandContext, input: SavePageInput): SaveResult {
  refuseOverrideUnlessAdmin(ctx);
  return saveVersion(ctx, input, 'page.saved', {});
}
