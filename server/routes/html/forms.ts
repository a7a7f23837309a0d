import { Type, type TProperties } from '@sinclair/typebox';

/** The CSRF token every form posts; the authorization plugin checks it before the body is validated. */
export const CsrfField = Type.Optional(Type.String({ maxLength: 200 }));

/** A posted form with exactly these fields (and its CSRF token): any other field is refused by name. */
export function closedForm<T extends TProperties>(fields: T) {
  return Type.Object({ ...fields, _csrf: CsrfField }, { additionalProperties: false });
}
