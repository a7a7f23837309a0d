import type { Store } from '../store/index.js';
import type { SignatureMeaning, SignatureRow } from '../store/signatures.js';
import { recordAudit } from '../audit/log.js';
import type { CommandContext } from '../core/context.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { signatureHash } from '../audit/signatures.js';
import { refuseIfPhi } from '../phi/guard.js';

export const MEANINGS: readonly SignatureMeaning[] = ['approved', 'reviewed', 'verified', 'authored'];
export const COMMENT_MAX = 1000;
/** What an access review's signature is bound to, in place of a page slug. */
export const ACCESS_REVIEW = 'access-review';

export { signatureHash };

/** A signature as the API and the screens show it (pinned field names first). */
export interface SignatureView {
  version: number | null;
  meaning: SignatureMeaning;
  signer: string;
  name: string;
  signed_at: string;
  version_hash: string;
  comment: string | null;
  hash: string;
  /** "Approved by Maria Reyes, 2026-11-26 14:03 UTC — version 4, hash 6a64…" */
  text: string;
}

const MEANING_WORD: Record<SignatureMeaning, string> = { approved: 'Approved', reviewed: 'Reviewed', verified: 'Verified', authored: 'Authored' };

/** A UTC time as a signature shows it: 2026-11-26 14:03 UTC. */
export function signedAtText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function toSignatureView(row: SignatureRow): SignatureView {
  const what = row.kind === 'page' ? `version ${row.version}, hash ${row.content_hash.slice(0, 4)}…` : `report hash ${row.content_hash.slice(0, 4)}…`;
  return {
    version: row.version,
    meaning: row.meaning,
    signer: row.signer,
    name: row.signer_name,
    signed_at: row.signed_at,
    version_hash: row.content_hash,
    comment: row.comment,
    hash: row.hash,
    text: `${MEANING_WORD[row.meaning]} by ${row.signer_name}, ${signedAtText(row.signed_at)} — ${what}`,
  };
}

/** The signatures on a page, newest version first. */
export function pageSignatures(store: Store, slug: string): SignatureView[] {
  const head = store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  return store.signatures.forPage(head.id).map(toSignatureView);
}

export function checkedComment(ctx: CommandContext, comment: string | undefined): string | null {
  const text = (comment ?? '').trim();
  if (text.length > COMMENT_MAX) throw new ValidationError([{ field: 'comment', message: `The comment must be at most ${COMMENT_MAX} characters.` }]);
  refuseIfPhi(ctx.phi, { comment: text });
  return text === '' ? null : text;
}

/** The signer's full name, as the signature records it (§11.50: the printed name of the signer). */
export function signerName(ctx: CommandContext): string {
  const person = ctx.actor.person ? ctx.store.parties.get(ctx.actor.person) : undefined;
  return person?.name ?? ctx.actor.username;
}

/** A signature before it is hashed and tied to its audit event. */
export type UnsignedSignature = Omit<SignatureRow, 'id' | 'hash' | 'audit_event_id'>;

/**
 * Hashes a signature, records its one `signature.added` audit event and stores it, inside the caller's
 * transaction: the signature and the event that vouches for it are written together or not at all.
 */
export function recordSignature(ctx: CommandContext, unsigned: UnsignedSignature, target: string, details: Record<string, unknown>): SignatureRow {
  const hash = signatureHash(unsigned);
  const comment = unsigned.comment ? { comment: unsigned.comment } : {};
  const event = recordAudit(ctx.store, { actor: ctx.actor.username, action: 'signature.added', target, client: ctx.client, at: unsigned.signed_at, details: { ...details, hash, ...comment } });
  const full = { ...unsigned, hash, audit_event_id: event.id };
  return { id: ctx.store.signatures.insert(full), ...full };
}
