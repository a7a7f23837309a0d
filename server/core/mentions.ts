/**
 * `@handle` mentions in markdown: a handle of the directory's shape (see HANDLE_PATTERN) after an `@` that
 * does not follow a word character (so e-mail addresses are not mentions), outside code spans and fenced
 * code. Returns each distinct handle once, lower-cased, in order of appearance. Whether the handle names
 * a person or team is for the caller to decide: an unknown handle stays plain text.
 */
export function extractMentions(markdown: string): string[] {
  const text = stripCode(markdown);
  const seen = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    const handle = (m[1] ?? '').replace(/[._-]+$/, '').toLowerCase();
    if (handle) seen.add(handle);
  }
  return [...seen];
}

/** `@` not preceded by a word character, `/` or another `@`; a handle starts with a letter or digit. */
export const MENTION = /(?<![\w@/])@([a-zA-Z0-9][a-zA-Z0-9._-]{0,39})/g;

function stripCode(markdown: string): string {
  // Line by line, so the cost stays linear whatever the input: fenced blocks (``` or ~~~ up to a closing
  // fence of the same character at least as long, or the end), then inline code spans within a line.
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (open && open[0] === fence[0] && open.length >= fence.length && /^ {0,3}[`~]+[ \t]*$/.test(line)) fence = null;
      continue;
    }
    if (open) { fence = open; continue; }
    out.push(line.replace(/`[^`]*`/g, ' '));
  }
  return out.join('\n');
}
