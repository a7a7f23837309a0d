/**
 * Text that came from outside (a username typed at sign-in, an Origin header), made safe to write into a
 * log line or an audit target: control characters become visible escapes, so nobody can forge a log
 * line with a newline or hide text with terminal escape codes; and it is cut to a sane length.
 */
export function safeForLog(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
