import type { Store } from '../store/index.js';
import type { SignatureMeaning, SignatureRow } from '../store/signatures.js';
import type { CommandContext } from '../core/context.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { signatureHash } from '../audit/signatures.js';
import { recordAudit } from '../audit/log.js';
import { refuseIfPhi } from '../phi/guard.js';
import { canSee } from '../auth/visibility.js';

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

export interface SignInput {
  slug: string;
  version: number;
  meaning: string;
  comment?: string;
}

function checkedComment(ctx: CommandContext, comment: string | undefined): string | null {
  const text = (comment ?? '').trim();
  if (text.length > COMMENT_MAX) throw new ValidationError([{ field: 'comment', message: `The comment must be at most ${COMMENT_MAX} characters.` }]);
  refuseIfPhi(ctx.phi, { comment: text });
  return text === '' ? null : text;
}

/** The signer's full name, as the signature records it (§11.50: the printed name of the signer). */
function signerName(ctx: CommandContext): string {
  const person = ctx.actor.person ? ctx.store.parties.get(ctx.actor.person) : undefined;
  return person?.name ?? ctx.actor.username;
}

/**
 * Signs one version of a page. The caller has already re-authenticated the signer (their password, just
 * now). The author of a version cannot approve it; a signer signs a version with a meaning once.
 */
export function signVersion(ctx: CommandContext, input: SignInput): SignatureView {
  const { slug } = input;
  const meaning = input.meaning as SignatureMeaning;
  if (!MEANINGS.includes(meaning)) throw new ValidationError([{ field: 'meaning', message: `The meaning must be one of: ${MEANINGS.join(', ')}.` }]);
  const comment = checkedComment(ctx, input.comment);
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    const head = ctx.store.pages.head(slug);
    if (!head || (ctx.actor.viewer && !canSee(head.restricted_to ? (JSON.parse(head.restricted_to) as string[]) : null, ctx.actor.viewer))) {
      throw new NotFoundError(`There is no page "${slug}".`);
    }
    if (!Number.isInteger(input.version) || input.version < 1 || input.version > head.current_version) {
      throw new ValidationError([{ field: 'version', message: `Version ${input.version} of "${slug}" does not exist: the page is at version ${head.current_version}.` }], 'conflict');
    }
    const version = ctx.store.pages.version(head.id, input.version)!;
    if (meaning === 'approved' && version.author === ctx.actor.username) {
      throw new ValidationError([{ field: 'meaning', message: `You wrote version ${input.version}, so you cannot sign it as approved: an approval must come from someone other than the author (separation of duties). You may sign it as authored.` }], 'conflict');
    }
    if (ctx.store.signatures.forPage(head.id).some((s) => s.version === input.version && s.meaning === meaning && s.signer === ctx.actor.username)) {
      throw new ValidationError([{ field: 'meaning', message: `You already signed version ${input.version} as ${meaning}.` }], 'conflict');
    }
    const unsigned = { kind: 'page' as const, page_id: head.id, slug, version: input.version, content_hash: version.hash, meaning, signer: ctx.actor.username, signer_name: signerName(ctx), signed_at: at, comment };
    const hash = signatureHash(unsigned);
    const event = recordAudit(ctx.store, {
      actor: ctx.actor.username,
      action: 'signature.added',
      target: slug,
      client: ctx.client,
      at,
      details: { version: input.version, meaning, version_hash: version.hash, hash, ...(comment ? { comment } : {}) },
    });
    const full = { ...unsigned, hash, audit_event_id: event.id };
    return { id: ctx.store.signatures.insert(full), ...full };
  });
  ctx.events?.emit('page-reviewed', { slug });
  return toSignatureView(row);
}

/** Signs an access review: "reviewed", bound to the hash of the report's content as the admin saw it. */
export interface SignAccessReviewInput {
  /** The sha256 of the report's content as the admin saw it. */
  reportHash: string;
  comment?: string;
}

export function signAccessReview(ctx: CommandContext, input: SignAccessReviewInput): SignatureView {
  const { reportHash, comment } = input;
  const text = checkedComment(ctx, comment);
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    const unsigned = { kind: 'access_review' as const, page_id: null, slug: null, version: null, content_hash: reportHash, meaning: 'reviewed' as const, signer: ctx.actor.username, signer_name: signerName(ctx), signed_at: at, comment: text };
    const hash = signatureHash(unsigned);
    const event = recordAudit(ctx.store, {
      actor: ctx.actor.username,
      action: 'signature.added',
      target: ACCESS_REVIEW,
      client: ctx.client,
      at,
      details: { meaning: 'reviewed', report_hash: reportHash, hash, ...(text ? { comment: text } : {}) },
    });
    const full = { ...unsigned, hash, audit_event_id: event.id };
    return { id: ctx.store.signatures.insert(full), ...full };
  });
  return toSignatureView(row);
}
