import { Type, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValidationError, type FieldError } from '../core/errors.js';
import { HANDLE_PATTERN, INTERVAL_PATTERN, isCalendarDate, SLUG_MAX, SLUG_PATTERN } from '../core/rules.js';

export const STATUSES = ['proposed', 'approved', 'in-build', 'live', 'superseded', 'retired', 'rejected'] as const;
export type PageStatus = (typeof STATUSES)[number];

export { HANDLE_PATTERN, SLUG_PATTERN } from '../core/rules.js';
const TICKET_PATTERN = '^[A-Z]{2,8}[0-9]{3,12}$';

const Handle = Type.String({ pattern: HANDLE_PATTERN });
export const Slug = Type.String({ pattern: SLUG_PATTERN, minLength: 1, maxLength: SLUG_MAX });

/**
 * The front matter of a page: one schema for the form, the API and the seeder.
 * Lists are arrays here; `normalizeFrontMatter` turns the form's comma-separated text into them.
 */
export const FrontMatterSchema = Type.Object(
  {
    title: Type.String({ minLength: 3, maxLength: 200 }),
    why: Type.String({ minLength: 1, maxLength: 20_000 }),
    owners: Type.Array(Handle, { minItems: 1, maxItems: 25 }),
    system: Type.String({ minLength: 1, maxLength: 60 }),
    module: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
    requested_by: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    sponsor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    tickets: Type.Optional(Type.Array(Type.String({ pattern: TICKET_PATTERN }), { maxItems: 100 })),
    records: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 160 }), { maxItems: 100 })),
    go_live: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })),
    review_every: Type.Optional(Type.String({ pattern: INTERVAL_PATTERN })),
    supersedes: Type.Optional(Type.Array(Slug, { maxItems: 25 })),
    superseded_by: Type.Optional(Type.Array(Slug, { maxItems: 25 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9][a-z0-9 ._/+-]*$' }), { maxItems: 50 })),
    restricted_to: Type.Optional(Type.Array(Handle, { maxItems: 25 })),
  },
  { additionalProperties: false },
);

export type FrontMatter = Static<typeof FrontMatterSchema>;
export type FrontMatterField = keyof FrontMatter;
export const FRONT_MATTER_FIELDS = Object.keys(FrontMatterSchema.properties) as FrontMatterField[];
const LIST_FIELDS = new Set<string>(['owners', 'tickets', 'records', 'supersedes', 'superseded_by', 'tags', 'restricted_to']);

/** What a person reads when a field is wrong; used by the form, the API and the importer alike. */
export const FIELD_MESSAGES: Record<FrontMatterField, string> = {
  title: 'Title is required and must be 3 to 200 characters.',
  why: 'Why is required: say why this was built and the problem it solves.',
  owners: 'At least one owner is required: person or team handles such as mreyes or epic-clindoc.',
  system: 'System is required.',
  module: 'Module must be at most 60 characters.',
  status: `Status must be one of: ${STATUSES.join(', ')}.`,
  requested_by: 'Requested by must be at most 200 characters.',
  sponsor: 'Sponsor must be at most 200 characters.',
  tickets: 'Ticket IDs look like CHG0012345, INC0012345 or RITM0012345.',
  records: 'Each build record ID must be 1 to 160 characters.',
  go_live: 'Go-live must be a real date written YYYY-MM-DD.',
  review_every: 'Review interval is a number followed by d, w, m or y, for example 90d, 6m or 1y.',
  supersedes: 'Supersedes lists page slugs: lowercase words joined by dashes.',
  superseded_by: 'Superseded by lists page slugs: lowercase words joined by dashes.',
  tags: 'Tags are lowercase words of at most 40 characters.',
  restricted_to: 'Restricted to lists team handles such as epic-security; leave it empty for a page every reader may see.',
};

const checker = TypeCompiler.Compile(FrontMatterSchema);

/** Maps a JSON-pointer-like path such as `/owners/0` onto the field it belongs to. */
export function fieldOfPath(path: string): string {
  return path.replace(/^\//, '').split('/')[0] ?? '';
}

export function messageFor(field: string): string {
  return (FIELD_MESSAGES as Record<string, string>)[field] ?? `"${field}" is not valid.`;
}

/**
 * Turns loosely typed input (form fields, YAML, JSON) into the front matter shape: trims text, splits
 * comma- or newline-separated lists, drops empty optional fields, defaults status to live.
 * Refuses keys that are not page fields, including prototype keys.
 */
export function normalizeFrontMatter(input: Record<string, unknown>): Record<string, unknown> {
  const unknown = Object.keys(input).filter((k) => !(FRONT_MATTER_FIELDS as string[]).includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(unknown.map((k) => ({ field: k, message: `"${k}" is not a page field.` })));
  }
  const out: Record<string, unknown> = {};
  for (const field of FRONT_MATTER_FIELDS) {
    let value = input[field];
    if (value instanceof Date) value = isNaN(value.getTime()) ? String(value) : value.toISOString().slice(0, 10);
    if (LIST_FIELDS.has(field)) {
      value = normalizeList(value, field);
    } else if (typeof value === 'string') {
      value = field === 'why' ? value.replace(/\r\n/g, '\n').trim() : value.trim();
    }
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0 && field !== 'owners')) {
      continue;
    }
    out[field] = value;
  }
  if (out.status === undefined) out.status = 'live';
  return out;
}

function normalizeList(value: unknown, field: string): unknown {
  if (value === undefined || value === null) return undefined;
  let items: unknown[];
  if (typeof value === 'string') items = value.split(field === 'records' ? /[\n;]/ : /[\n,]/);
  else if (Array.isArray(value)) items = value;
  else return value;
  const cleaned = items.map((raw) => {
    // YAML reads a bare tag such as 834 as a number; in a list of text it is text.
    const item = typeof raw === 'number' ? String(raw) : raw;
    if (typeof item !== 'string') return item;
    let s = item.trim();
    if (field === 'tickets') s = s.replace(/[\s-]+/g, '').toUpperCase();
    if (field === 'tags' || field === 'owners' || field === 'restricted_to' || field === 'supersedes' || field === 'superseded_by') s = s.toLowerCase();
    return s;
  });
  const seen = new Set<unknown>();
  return cleaned.filter((item) => item !== '' && !seen.has(item) && seen.add(item));
}

/** Validates already-normalized front matter against the schema and the configured systems. */
export function checkFrontMatter(value: Record<string, unknown>, systems: string[]): FrontMatter {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of checker.Errors(value)) {
    const field = fieldOfPath(error.path) || 'front_matter';
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, message: messageFor(field) });
  }
  if (typeof value.system === 'string' && !seen.has('system') && !systems.includes(value.system)) {
    errors.push({ field: 'system', message: `System must be one of: ${systems.join(', ')}.` });
  }
  if (typeof value.go_live === 'string' && !seen.has('go_live') && !isCalendarDate(value.go_live)) {
    errors.push({ field: 'go_live', message: FIELD_MESSAGES.go_live });
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return value as FrontMatter;
}

export function validateFrontMatter(input: Record<string, unknown>, systems: string[]): FrontMatter {
  return checkFrontMatter(normalizeFrontMatter(input), systems);
}

/** Puts front matter fields in schema order so that stored JSON and hashes are stable. */
export function orderFrontMatter(fm: FrontMatter): FrontMatter {
  const out: Record<string, unknown> = {};
  for (const field of FRONT_MATTER_FIELDS) if (fm[field] !== undefined) out[field] = fm[field];
  return out as FrontMatter;
}

/**
 * The front matter as a client sends it: the same fields, typed, every one optional, no rules yet. The API
 * reads its body with this so that the rules live in FrontMatterSchema alone and are checked once, after
 * `normalizeFrontMatter`, exactly as for the form (so an owner written "MReyes" is mreyes in both).
 */
export const FrontMatterInput = Type.Object(
  Object.fromEntries(
    FRONT_MATTER_FIELDS.map((field) => [
      field,
      Type.Optional(LIST_FIELDS.has(field) ? Type.Array(Type.String(), { description: FIELD_MESSAGES[field] }) : Type.String({ description: FIELD_MESSAGES[field] })),
    ]),
  ) as unknown as { [K in FrontMatterField]-?: TOptional<TSchema> },
  { additionalProperties: false },
);

export type { TSchema };
