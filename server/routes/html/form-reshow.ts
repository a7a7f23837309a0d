import type { FastifyReply } from 'fastify';
import { DomainError, PayloadTooLargeError, ValidationError, type FieldError } from '../../core/errors.js';
import { PhiRefused } from '../../phi/guard.js';
import { PasswordNotConfirmed } from '../../auth/confirm-password.js';
import { MarkdownRefused } from '../../render/markdown.js';
import { ReauthRefused } from '../reauth.js';
import { toErrorBody } from '../errors.js';

/**
 * Why a posted form was refused, as every form shows it: the status, each message beside its field, and a
 * summary at the top. Built from the error by the one error mapper, so no route chooses a status again.
 */
export interface FormProblem {
  status: number;
  /** Field name -> its message, shown beside the field. */
  errors: Record<string, string>;
  /** The same messages in order, for the summary at the top (views/partials/form-problem.hbs). */
  list: FieldError[];
  /** The line at the top of the form. */
  message: string;
  /** Every message in one sentence, for screens with a single message slot (a button's refusal). */
  text: string;
  /** The PHI guard refused the text: the form offers an admin the override. */
  phi: boolean;
}

const PHI_SUMMARY = 'Nothing was saved: the PHI guard found what looks like patient information. Each finding is shown beside its field.';
const FIELDS_SUMMARY = 'Some fields need attention; nothing was saved yet.';

/**
 * The refusals a form answers by coming back filled in. A missing thing (a page, a person) is not one:
 * the error mapper answers it, worded from the address alone, so a hidden page reads like a missing one.
 * Nor is a store that is out of reach: the mapper hands the typed text back on its own screen.
 */
function isFormRefusal(error: unknown, missingToo: boolean): error is Error {
  if (error instanceof ValidationError || (missingToo && error instanceof DomainError && error.kind === 'not_found')) return true;
  if (error instanceof ReauthRefused || error instanceof PasswordNotConfirmed || error instanceof MarkdownRefused) return true;
  return error instanceof DomainError && error.kind !== 'not_found' && error.kind !== 'unavailable';
}

export interface ReshowOptions {
  /**
   * Re-show the screen for a missing thing too: only for admin screens whose rows are named by id (an
   * integration, a PHI rule), never pages, so nothing hidden can be told from something missing.
   */
  missingToo?: boolean;
}

/** What the form shows for this error, or null when it is not a form's refusal (the caller rethrows it). */
export function formProblem(error: unknown, options: ReshowOptions = {}): FormProblem | null {
  if (!isFormRefusal(error, options.missingToo === true)) return null;
  const body = toErrorBody(error);
  // Every size limit a form meets is the body's (a page, a template skeleton, a draft): shown beside it.
  const field = body.field ?? (error instanceof PayloadTooLargeError ? 'body' : undefined);
  const listed = body.errors ?? (field ? [{ field, message: body.message }] : []);
  const errors = Object.fromEntries(listed.map((e) => [e.field, e.message]));
  const text = listed.length > 0 ? listed.map((e) => e.message).join(' ') : body.message;
  const phi = error instanceof PhiRefused;
  const message = phi ? PHI_SUMMARY : listed.length > 0 ? FIELDS_SUMMARY : text;
  return { status: body.statusCode, errors, list: listed, message, text, phi };
}

/**
 * Answers a refused form post: the status from the error mapper, then the form from its own view builder
 * (the same one its first showing uses), given the problem to show beside the typed values. Any other
 * error goes on to the mapper.
 */
export async function reshowForm(reply: FastifyReply, error: unknown, show: (problem: FormProblem, error: Error) => unknown, options?: ReshowOptions): Promise<unknown> {
  const problem = formProblem(error, options);
  if (!problem) throw error;
  // A re-authentication refused for too many tries says when to try again.
  const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfter) reply.header('Retry-After', String(retryAfter));
  reply.status(problem.status);
  return show(problem, error as Error);
}

/**
 * A button's small form (mark reviewed, restore, archive, sign) lives on a screen that is not re-rendered
 * for it: its refusal is shown on its own page, with what was typed handed back and a way back.
 */
export function refusalPage(reply: FastifyReply, title: string, back: string, typed?: string, action?: { href: string; label: string }) {
  return (problem: FormProblem) => reply.view('error', { title, status: problem.status, reason: title, message: problem.text, back, typed, action });
}
