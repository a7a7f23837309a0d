import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, InvalidError, ValidationError, ConflictError, type FieldError } from '../core/errors.js';
import { fieldOfPath, messageFor } from '../pages/schema.js';
import { MarkdownRefused } from '../render/markdown.js';
import { viewLocals } from '../view-helpers.js';

/** The JSON shape of every error answer. `field` names the first field at fault; `errors` lists them all. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
  errors?: FieldError[];
  base_version?: number;
  current_version?: number;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

/** What a malformed address part means, in words; checked before anything is looked up. */
const PARAM_MESSAGES: Record<string, string> = {
  slug: 'A page slug is lowercase letters and digits joined by single dashes, for example sepsis-screening-bpa.',
  handle: 'A handle is 1 to 40 lowercase letters, digits, dots, dashes or underscores.',
  username: 'A username is 1 to 40 lowercase letters, digits, dots, dashes or underscores.',
};

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Fastify's schema errors into our field messages: the same words the form shows. */
function schemaErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  const out: FieldError[] = [];
  for (const e of validation) {
    let field = fieldOfPath(e.instancePath);
    if (e.keyword === 'required') field = String(e.params.missingProperty);
    if (e.keyword === 'additionalProperties') {
      const extra = String(e.params.additionalProperty);
      out.push({ field: extra, message: `"${extra}" is not an accepted field.` });
      continue;
    }
    if (!field) field = context ?? 'body';
    if (context === 'params' && field in PARAM_MESSAGES) {
      if (!out.some((o) => o.field === field)) out.push({ field, message: PARAM_MESSAGES[field]! });
      continue;
    }
    if (out.some((o) => o.field === field)) continue;
    const known = messageFor(field);
    out.push({ field, message: known.startsWith('"') ? `${field} ${e.message ?? 'is not valid'}.` : known });
  }
  return out;
}

export function toErrorBody(error: FastifyError | Error): ErrorBody {
  if (error instanceof ValidationError) {
    return { statusCode: error.statusCode, error: REASONS[error.statusCode]!, message: error.message, field: error.errors[0]?.field, errors: error.errors };
  }
  if (error instanceof ConflictError) {
    return { statusCode: 409, error: 'Conflict', message: error.message, base_version: error.baseVersion, current_version: error.currentVersion };
  }
  if (error instanceof MarkdownRefused) {
    return { statusCode: 422, error: REASONS[422]!, message: error.message, field: 'body' };
  }
  if (error instanceof InvalidError && error.field) {
    return { statusCode: error.statusCode, error: REASONS[error.statusCode]!, message: error.message, field: error.field };
  }
  if (error instanceof DomainError) {
    return { statusCode: error.statusCode, error: REASONS[error.statusCode] ?? 'Error', message: error.message };
  }
  const storage = storageProblem(error);
  if (storage === 'disk-full') {
    return { statusCode: 507, error: REASONS[507]!, message: "The server's disk is full: nothing was saved and nothing stored was changed. Ask an administrator to free space, then save again." };
  }
  if (storage === 'busy') {
    return { statusCode: 503, error: REASONS[503]!, message: 'The store is busy with other saves: nothing was saved. Try again in a moment.' };
  }
  const fe = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation) {
    const errors = schemaErrors(fe.validation, fe.validationContext);
    return { statusCode: 400, error: 'Bad Request', message: errors.map((e) => `${e.field}: ${e.message}`).join(' '), field: errors[0]?.field, errors };
  }
  const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
  if (status === 500) return { statusCode: 500, error: REASONS[500]!, message: 'Something went wrong on our side. The error was logged; nothing you typed was saved.' };
  let message = fe.message;
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && status === 400)) {
    message = `The request body is not valid JSON (${fe.message}).`;
  } else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    message = 'The request body is too large.';
  } else if (fe.code === 'FST_CSRF_INVALID_TOKEN' || fe.code === 'FST_CSRF_MISSING_SECRET') {
    message = 'This form has expired or did not come from Whywiki. Reload the page and try again.';
  }
  return { statusCode: status, error: REASONS[status] ?? 'Error', message };
}

/**
 * SQLite failures a person can act on: a full disk (SQLITE_FULL, or the OS refusing to grow a file)
 * and a write lock held past the busy timeout. Each command runs in one transaction, so either way
 * nothing was written.
 */
export function storageProblem(error: unknown): 'disk-full' | 'busy' | null {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC' || code === 'SQLITE_IOERR_TRUNCATE') return 'disk-full';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED') return 'busy';
  return null;
}

/** The API answers in JSON; its reference at /api/docs is pages for people, who are sent to sign in. */
export function wantsJson(request: FastifyRequest): boolean {
  return (request.url.startsWith('/api/') && !/^\/api\/docs(?:[/?]|$)/.test(request.url)) || request.url === '/healthz';
}

export async function sendError(request: FastifyRequest, reply: FastifyReply, body: ErrorBody): Promise<FastifyReply> {
  reply.status(body.statusCode);
  if (wantsJson(request)) return reply.send(body);
  // A refusal from the sign-in checks comes before the screens' own hook: fill in the header here.
  if (!reply.locals || !('user' in reply.locals)) {
    try {
      reply.locals = { ...reply.locals, ...viewLocals(request, reply) };
    } catch {
      // Without a session (a failure before it was read) the page shows without the signed-in header.
    }
  }
  // A missing page offers to look for it, and to editors to write it. Only the address decides, so a page
  // someone may not see answers exactly like one that does not exist.
  const addressed = body.statusCode === 404 ? /^\/p\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\/|$|\?)/.exec(request.url)?.[1] : undefined;
  // Only when the page itself is missing (or hidden, which must look the same): a missing version of a
  // page this person sees keeps its own message.
  const missingSlug = addressed && (request.hidden?.has(addressed) || !request.server.store.pages.head(addressed)) ? addressed : undefined;
  return reply.view('error', {
    title: body.error,
    status: body.statusCode,
    reason: body.error,
    // Worded from the address alone too: a restricted page and a missing one read the same.
    message: missingSlug ? `There is no page "${missingSlug}".` : body.message,
    missingSlug,
    missingWords: missingSlug?.replaceAll('-', ' '),
  });
}
