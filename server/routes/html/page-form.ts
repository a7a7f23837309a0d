import { FRONT_MATTER_FIELDS, STATUSES, type FrontMatter } from '../../pages/schema.js';
import type { PageDraft } from '../../pages/commands.js';

/** What the new-page and edit forms post: every field as the text the person typed. */
export type PageFormBody = Partial<Record<string, string>>;

/** Form values exactly as typed, so a refused form comes back with nothing lost. */
export type FormValues = Record<string, string>;

const LINE_LISTS = new Set(['records']);

export function valuesFromFrontMatter(fm: FrontMatter, body: string): FormValues {
  const values: FormValues = { body };
  for (const field of FRONT_MATTER_FIELDS) {
    const v = fm[field];
    if (v === undefined) continue;
    values[field] = Array.isArray(v) ? v.join(LINE_LISTS.has(field) ? '\n' : ', ') : String(v);
  }
  return values;
}

export function valuesFromForm(form: PageFormBody): FormValues {
  const values: FormValues = {};
  for (const field of [...FRONT_MATTER_FIELDS, 'body', 'summary', 'slug', 'base_version', 'phi_override_reason']) {
    const v = form[field];
    if (typeof v === 'string') values[field] = v;
  }
  return values;
}

export function draftFromValues(values: FormValues): PageDraft {
  const frontMatter: Record<string, unknown> = {};
  for (const field of FRONT_MATTER_FIELDS) if (values[field] !== undefined) frontMatter[field] = values[field];
  return { frontMatter, body: values.body ?? '', summary: values.summary };
}

export function formChoices(systems: string[], values: FormValues) {
  return {
    systems: systems.map((s) => ({ value: s, selected: s === values.system })),
    statuses: STATUSES.map((s) => ({ value: s, selected: s === (values.status || 'live') })),
  };
}

/** The form's fields as the person sees them, for the error summary at the top of the form. */
const FIELD_LABELS: Record<string, string> = {
  title: 'Title', slug: 'Slug', why: 'Why it was built', owners: 'Owners', system: 'System', module: 'Module',
  status: 'Status', go_live: 'Go-live', review_every: 'Review every', requested_by: 'Requested by', sponsor: 'Sponsor',
  tickets: 'Tickets', records: 'Build records', supersedes: 'Supersedes', superseded_by: 'Superseded by', tags: 'Tags',
  body: 'Body', file: 'Screenshot or file', file_alt: 'What the image shows', summary: 'Change summary',
  restricted_to: 'Restricted to teams', phi_override_reason: 'Why this is not patient information',
};

/** Every field error, in the order the fields appear, each linking to its field. */
export function errorSummary(errors: Record<string, string>): { href: string; label: string; message: string }[] {
  const order = Object.keys(FIELD_LABELS);
  const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
  return Object.entries(errors)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([field, message]) => ({ href: FIELD_LABELS[field] ? `#f-${field}` : '#f-title', label: FIELD_LABELS[field] ?? field, message }));
}
