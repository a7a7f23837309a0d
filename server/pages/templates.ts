import { recordAudit } from '../audit/log.js';
import type { CommandContext } from '../core/context.js';
import { NotFoundError, PayloadTooLargeError, ValidationError, type FieldError } from '../core/errors.js';
import { INTERVAL_PATTERN } from '../core/rules.js';
import type { TemplateRow } from '../store/writing.js';
import { PhiRefused } from './commands.js';
import { normalizeFrontMatter, STATUSES } from './schema.js';

/**
 * Page templates: a starting point for a kind of decision an analyst writes often (a BPA, an interface,
 * a Workday business process). Admins manage them; every change is an audit event, and their text passes
 * the PHI guard like a page's.
 */

/** The front matter a template may prefill: what is the same for every page of its kind. */
export const TEMPLATE_FIELDS = ['system', 'module', 'status', 'review_every', 'tags'] as const;

export interface Template {
  id: number;
  name: string;
  description: string;
  frontMatter: { system?: string; module?: string; status?: string; review_every?: string; tags?: string[] };
  body: string;
  updatedAt: string;
  updatedBy: string;
}

export interface TemplateInput {
  name: string;
  description?: string;
  /** Loosely typed: the admin form's text or API JSON (tags as a list or comma-separated). */
  frontMatter: Record<string, unknown>;
  body: string;
}

export const toTemplate = (row: TemplateRow): Template => ({
  id: row.id,
  name: row.name,
  description: row.description,
  frontMatter: JSON.parse(row.front_matter) as Template['frontMatter'],
  body: row.body,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

export function listTemplates(ctx: Pick<CommandContext, 'store'>): Template[] {
  return ctx.store.templates.all().map(toTemplate);
}

export function getTemplate(ctx: Pick<CommandContext, 'store'>, id: number): Template {
  const row = Number.isInteger(id) ? ctx.store.templates.get(id) : undefined;
  if (!row) throw new NotFoundError(`There is no template ${id}.`);
  return toTemplate(row);
}

const intervalRe = new RegExp(INTERVAL_PATTERN);
const tagRe = /^[a-z0-9][a-z0-9 ._/+-]*$/;

/** Every problem at once, as the page form does. */
function checkTemplate(ctx: CommandContext, input: TemplateInput): { name: string; description: string; fm: Template['frontMatter']; body: string } {
  const errors: FieldError[] = [];
  const name = (input.name ?? '').trim();
  const description = (input.description ?? '').trim();
  if (!name) errors.push({ field: 'name', message: 'A template needs a name, for example "Interface (HL7 feed)".' });
  if (name.length > 80) errors.push({ field: 'name', message: 'A template name is at most 80 characters.' });
  if (description.length > 500) errors.push({ field: 'description', message: 'The description is at most 500 characters.' });
  const unknown = Object.keys(input.frontMatter).filter((k) => !(TEMPLATE_FIELDS as readonly string[]).includes(k));
  for (const k of unknown) errors.push({ field: k, message: `"${k}" cannot be prefilled by a template; it may set ${TEMPLATE_FIELDS.join(', ')}.` });
  const fm: Template['frontMatter'] = {};
  if (unknown.length === 0) {
    // Tags may come as a list or as the form's comma-separated text, or as a list holding such text.
    const tags = input.frontMatter.tags;
    const n = normalizeFrontMatter({ ...input.frontMatter, ...(Array.isArray(tags) ? { tags: tags.flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])) } : {}) });
    // normalizeFrontMatter defaults the status; a template only has one when the admin chose it.
    if (input.frontMatter.status === undefined || input.frontMatter.status === '') delete n.status;
    if (n.system !== undefined) {
      if (typeof n.system !== 'string' || !ctx.systems.includes(n.system)) errors.push({ field: 'system', message: `System must be one of ${ctx.systems.join(', ')}.` });
      else fm.system = n.system;
    }
    if (n.module !== undefined) {
      if (typeof n.module !== 'string' || n.module.length > 80) errors.push({ field: 'module', message: 'Module is text of at most 80 characters.' });
      else fm.module = n.module;
    }
    if (n.status !== undefined) {
      if (!(STATUSES as readonly unknown[]).includes(n.status)) errors.push({ field: 'status', message: `Status must be one of ${STATUSES.join(', ')}.` });
      else fm.status = n.status as string;
    }
    if (n.review_every !== undefined) {
      if (typeof n.review_every !== 'string' || !intervalRe.test(n.review_every)) errors.push({ field: 'review_every', message: 'Review interval is a number followed by d, w, m or y, for example 90d, 6m or 1y.' });
      else fm.review_every = n.review_every;
    }
    if (n.tags !== undefined) {
      const tags = n.tags as unknown[];
      if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length > 40 || !tagRe.test(t))) errors.push({ field: 'tags', message: 'Tags are lowercase words of at most 40 characters.' });
      else fm.tags = tags as string[];
    }
  }
  const body = (input.body ?? '').replace(/\r\n/g, '\n');
  if (Buffer.byteLength(body, 'utf8') > ctx.maxBodyBytes) throw new PayloadTooLargeError('The body skeleton is larger than the page size limit.');
  if (errors.length) throw new ValidationError(errors);
  if (ctx.phi) {
    const hits = ctx.phi.scan({ name, description, module: fm.module, tags: fm.tags, body });
    if (hits.length > 0) throw new PhiRefused(hits);
  }
  return { name, description, fm, body };
}

const nameTaken = (name: string) => new ValidationError([{ field: 'name', message: `A template named "${name}" already exists; choose another name.` }], 'conflict');

export function createTemplate(ctx: CommandContext, input: TemplateInput): Template {
  const t = checkTemplate(ctx, input);
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    if (ctx.store.templates.byName(t.name)) throw nameTaken(t.name);
    const fields = { name: t.name, description: t.description, front_matter: JSON.stringify(t.fm), body: t.body, updated_at: at, updated_by: ctx.actor.username };
    const id = ctx.store.templates.insert(fields);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'template.created', target: `template:${id}`, client: ctx.client, at, details: { name: t.name } });
    return { id, ...fields };
  });
  return toTemplate(row);
}

export function updateTemplate(ctx: CommandContext, id: number, input: TemplateInput): Template {
  const t = checkTemplate(ctx, input);
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    const old = ctx.store.templates.get(id);
    if (!old) throw new NotFoundError(`There is no template ${id}.`);
    const clash = ctx.store.templates.byName(t.name);
    if (clash && clash.id !== id) throw nameTaken(t.name);
    const next: TemplateRow = { id, name: t.name, description: t.description, front_matter: JSON.stringify(t.fm), body: t.body, updated_at: at, updated_by: ctx.actor.username };
    ctx.store.templates.update(next);
    const changed = (['name', 'description', 'front_matter', 'body'] as const).filter((k) => old[k] !== next[k]);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'template.updated', target: `template:${id}`, client: ctx.client, at, details: { name: t.name, changed } });
    return next;
  });
  return toTemplate(row);
}
