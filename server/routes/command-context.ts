import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CommandContext } from '../core/context.js';
import { ValidationError } from '../core/errors.js';
import { MarkdownRefused } from '../render/markdown.js';
import type { InboxContext } from '../notify/inbox.js';

/** The context a command runs in over HTTP; built by the command-context plugin (server/plugins/). */
export function commandContext(app: FastifyInstance, request: FastifyRequest, extra: Partial<CommandContext> = {}): CommandContext {
  return app.commandContext(request, extra);
}

/** The context in which signed-in people change their own inbox, watches and notification settings. */
export function inboxContext(app: FastifyInstance, request: FastifyRequest): InboxContext {
  return { store: app.store, userId: request.user!.id, hidden: request.hidden, systems: app.config.systems, at: app.clock() };
}

/**
 * An override of the PHI guard, from a form or an API body: a reason, when one was given. Whether the
 * actor may override is the command's decision (`refuseOverrideUnlessAdmin` in core/permissions.ts).
 */
export function phiOverrideOf(reason: unknown): { reason: string } | undefined {
  if (typeof reason !== 'string' || reason.trim() === '') return undefined;
  return { reason: reason.trim().slice(0, 500) };
}

/**
 * Renders a draft's why and body in the render workers before it is saved, so that text which does not
 * render within the time limit is refused (422, beside its field) and never stored. Gives the wiki-link
 * targets found, so the save need not parse the text again on the request thread.
 */
export async function checkRenders(app: FastifyInstance, draft: { body?: unknown; why?: unknown }): Promise<{ wikiLinks?: string[] }> {
  const links = new Set<string>();
  for (const field of ['why', 'body'] as const) {
    const text = draft[field];
    if (text === undefined || text === '') continue;
    // Not text, or too large to save anyway: the command refuses it (400, 413) without rendering it.
    if (typeof text !== 'string' || Buffer.byteLength(text, 'utf8') > app.config.maxBodyBytes) return {};
    try {
      for (const slug of (await app.renderer.renderDraft(text.replace(/\r\n/g, '\n'))).links) links.add(slug);
    } catch (e) {
      if (e instanceof MarkdownRefused) throw new ValidationError([{ field, message: e.message }], 422);
      throw e;
    }
  }
  return { wikiLinks: [...links] };
}
