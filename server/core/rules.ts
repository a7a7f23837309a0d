import slugify from '@sindresorhus/slugify';

/**
 * Rules more than one room applies (the editor, the API, the importer, the renderer, the search index,
 * the configuration), each written once so they cannot drift apart.
 */

/** A page slug: lowercase letters and digits joined by single dashes. */
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
export const SLUG_MAX = 80;
/** A person's, team's or user's handle. */
export const HANDLE_PATTERN = '^[a-z0-9][a-z0-9._-]{0,39}$';
/** A review interval: 90d, 12w, 6m, 1y (a number, then days, weeks, months or years). */
export const INTERVAL_PATTERN = '^([1-9][0-9]{0,3})([dwmy])$';
/** A change summary, on every save. */
export const SUMMARY_MAX = 500;
/** The reason given for a status change, a departure or an ownership move. */
export const REASON_MAX = 400;

/**
 * The one slug rule, for titles, [[wiki links]], imported file names and the API alike, so a page titled
 * "Sepsis & BPA" is the page `[[Sepsis & BPA]]` links to. A text that is already a slug is its own slug,
 * so existing slugs and links keep working.
 */
export function slugOf(text: string): string {
  return slugify(text, { decamelize: false }).slice(0, SLUG_MAX).replace(/-+$/, '');
}

/** The slug of a markdown file (an import, an ADR, a git history entry): its name without the extension. */
export function slugFromFileName(name: string): string {
  return slugOf(name.replace(/\.(md|markdown)$/i, ''));
}

/**
 * `[[target]]` or `[[target|label]]`; the target is turned into a slug with slugOf. Global: use it with
 * String.replace or matchAll, which start from the beginning each time.
 */
export const WIKI_LINK = /\[\[([^[\]|\n]{1,200})(?:\|([^[\]\n]{1,200}))?\]\]/g;

/** A real calendar date written YYYY-MM-DD (UTC): 2024-02-30 is not one. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
