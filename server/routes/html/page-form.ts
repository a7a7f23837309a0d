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
