/** Errors a person can cause; routes turn them into 4xx answers, never 500s. */
export interface FieldError {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly statusCode: number;
}

export class ValidationError extends DomainError {
  /** 400 for a bad value; 409 when the value clashes with what is stored (a duplicate slug); 422 for likely PHI. */
  constructor(
    readonly errors: FieldError[],
    readonly statusCode: 400 | 404 | 409 | 422 = 400,
  ) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join(' '));
    this.name = 'ValidationError';
  }

  /** The message for one field, for showing beside it on a form. */
  byField(): Record<string, string> {
    return Object.fromEntries(this.errors.map((e) => [e.field, e.message]));
  }
}

export class NotFoundError extends DomainError {
  readonly statusCode = 404;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly statusCode = 409;
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
  readonly statusCode = 413;
  constructor(message: string) {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

export class ForbiddenError extends DomainError {
  readonly statusCode = 403;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}
