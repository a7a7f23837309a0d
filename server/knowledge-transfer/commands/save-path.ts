import { recordAudit } from '../../audit/log.js';
import type { CommandContext } from '../../core/context.js';
import { NotFoundError } from '../../core/errors.js';
import { validatePath, type PathInput } from '../paths.js';

export interface SavePathInput extends PathInput {
  /** The path to add a version to; left out, a new path. */
  id?: number;
}

/** Saves a reading path: a new path (id undefined) or a new version of one. Versions are only added. */
export function savePath(ctx: CommandContext, input: SavePathInput): { id: number; version: number } {
  const { id } = input;
  const fields = validatePath(ctx, input);
  const at = (ctx.at ?? new Date()).toISOString();
  return ctx.store.transaction(() => {
    let pathId = id;
    let version = 1;
    if (pathId === undefined) pathId = ctx.store.transfer.insertPath(at, ctx.actor.username);
    else {
      const path = ctx.store.transfer.path(pathId);
      if (!path) throw new NotFoundError(`There is no reading path ${pathId}.`);
      version = path.current_version + 1;
      ctx.store.transfer.setPathVersion(pathId, version);
    }
    ctx.store.transfer.insertPathVersion({ path_id: pathId, version, title: fields.title, description: fields.description, steps: JSON.stringify(fields.steps), author: ctx.actor.username, created_at: at });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'path.saved', target: `path:${pathId}`, client: ctx.client, at, details: { version, title: fields.title, steps: fields.steps.map((s) => s.slug) } });
    return { id: pathId, version };
  });
}
