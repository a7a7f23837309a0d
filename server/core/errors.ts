/**
 * Errors a person can cause. Each says *what* went wrong as a `kind`; the one error mapper at the edge
 * (routes/errors.ts) turns a kind into an HTTP status, so commands never choose status codes.
 */
export interface FieldError {
  field: string;
  message: string;
}

export type ErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'too_large' | 'unsupported' | 'refused' | 'unavailable';

/** The one place a kind becomes a status. `refused` is well-formed input a rule turns away (likely patient information); `unsupported` a kind of file that is not accepted. */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, 400 | 403 | 404 | 409 | 413 | 415 | 422 | 503>> = Object.freeze({
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  refused: 422,
  unavailable: 503,
});

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  /** Kept for routes that still read it; derived from `kind`, never chosen by the thrower. */
  get statusCode(): number {
    return STATUS_OF_KIND[this.kind];
  }
}

/** Older call sites name a status; each maps to the kind it always meant. */
const KIND_OF_LEGACY_STATUS: Readonly<Record<400 | 404 | 409 | 422, ErrorKind>> = { 400: 'invalid', 404: 'not_found', 409: 'conflict', 422: 'refused' };

export class ValidationError extends DomainError {
  readonly kind: ErrorKind;
  /** `invalid` for a bad value; `conflict` when the value clashes with what is stored (a duplicate slug); `refused` for likely PHI. */
  constructor(
    readonly errors: FieldError[],
    kind: 'invalid' | 'not_found' | 'conflict' | 'refused' | 400 | 404 | 409 | 422 = 'invalid',
  ) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join(' '));
    this.name = 'ValidationError';
    this.kind = typeof kind === 'number' ? KIND_OF_LEGACY_STATUS[kind] : kind;
  }

  /** The message for one field, for showing beside it on a form. */
  byField(): Record<string, string> {
    return Object.fromEntries(this.errors.map((e) => [e.field, e.message]));
  }
}

/** A request that cannot be met as asked, said in one sentence (a form's field errors use ValidationError). */
export class InvalidError extends DomainError {
  readonly kind = 'invalid';
  constructor(
    message: string,
    /** The field the message is about, when there is one (the search box's `q`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidError';
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(
    message: string,
    readonly baseVersion: number,
    readonly currentVersion: number,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly kind = 'too_large';
  constructor(message: string) {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** Something the request needs is briefly out of reach (a busy store, a worker restarting); trying again may work. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}
