import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, UnavailableError, ValidationError } from '../../server/core/errors.js';
import { ValidationError as OldPathValidationError } from '../../server/pages/errors.js';
import { PhiRefused } from '../../server/pages/commands.js';
import { toErrorBody } from '../../server/routes/errors.js';

describe('domain errors', () => {
  it('say what went wrong as a kind, and the one mapper at the edge picks the status from it', () => {
    const cases = [
      [new ValidationError([{ field: 'title', message: 'Title is required.' }]), 'invalid', 400],
      [new ForbiddenError('Only an admin can.'), 'forbidden', 403],
      [new NotFoundError('No such page.'), 'not_found', 404],
      [new ConflictError('Changed meanwhile.', 1, 2), 'conflict', 409],
      [new PayloadTooLargeError('Too large.'), 'too_large', 413],
      [new PhiRefused([{ field: 'body', line: 1, kind: 'medical record number', excerpt: 'MRN ••••' }]), 'refused', 422],
      [new UnavailableError('Busy.'), 'unavailable', 503],
    ] as const;
    for (const [error, kind, status] of cases) {
      expect(error.kind).toBe(kind);
      expect(toErrorBody(error).statusCode).toBe(status);
    }
  });

  it('read a status named by older call sites as the kind it meant', () => {
    expect(new ValidationError([{ field: 'slug', message: 'Taken.' }], 409).kind).toBe('conflict');
    expect(new ValidationError([{ field: 'slug', message: 'Taken.' }], 'conflict').statusCode).toBe(409);
  });

  it('are the same classes under the old import path', () => {
    expect(OldPathValidationError).toBe(ValidationError);
  });
});
