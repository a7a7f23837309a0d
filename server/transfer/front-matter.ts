import YAML from 'yaml';

/**
 * The one reader of markdown front matter, for the importer and the seeder alike. Front matter is YAML
 * and only YAML: a `---js` (or any other language) block is refused, never run, and the YAML itself is
 * read with the core schema and no custom or extra tags, so no file can make the reader run code or
 * build objects other than plain data.
 */

export class FrontMatterError extends Error {}

export interface SplitFile {
  /** The front matter as a mapping; empty when the file has none. */
  data: Record<string, unknown>;
  /** Everything after the closing `---` line (or the whole file when there is no front matter). */
  body: string;
}

/** Aliases a hand-written page needs are few; far more means an alias bomb ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;

const CLOSING_LINE = /^---[ \t]*\r?$/m;

/** Splits `---` front matter off a markdown file and reads it as YAML. Throws FrontMatterError saying why not. */
export function readFrontMatter(source: string): SplitFile {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  // `----` and longer are a thematic break, not front matter.
  if (!text.startsWith('---') || text.charAt(3) === '-') return { data: {}, body: text };
  const firstLineEnd = text.indexOf('\n');
  const opening = (firstLineEnd < 0 ? text : text.slice(0, firstLineEnd)).replace(/\r$/, '');
  const tag = opening.slice(3).trim();
  if (tag && tag.toLowerCase() !== 'yaml') {
    throw new FrontMatterError(`the front matter is marked "${tag}"; only YAML front matter is read, and "${tag}" front matter is refused, not run`);
  }
  const rest = firstLineEnd < 0 ? '' : text.slice(firstLineEnd + 1);
  const close = CLOSING_LINE.exec(rest);
  if (!close) throw new FrontMatterError('the front matter opened by "---" on the first line is never closed by a "---" line');
  const afterClose = rest.slice(close.index + close[0].length);
  return { data: parseYamlMapping(rest.slice(0, close.index)), body: afterClose.startsWith('\n') ? afterClose.slice(1) : afterClose };
}

/** Reads YAML as plain data (core schema, no custom or extra tags, unique keys, few aliases). */
export function parseYamlMapping(yaml: string): Record<string, unknown> {
  const doc = YAML.parseDocument(yaml, { schema: 'core', customTags: [], resolveKnownTags: false, uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (problem) {
    const reason = problem.code === 'TAG_RESOLVE_FAILED' ? `the tag ${problem.message.replace(/^Unresolved tag:\s*/, '').split('\n')[0]} is not allowed; write plain values` : problem.message.split('\n')[0];
    throw new FrontMatterError(`the front matter is not valid YAML: ${reason}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new FrontMatterError(`the front matter is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new FrontMatterError('the front matter must be a YAML mapping of field: value');
  return data as Record<string, unknown>;
}
