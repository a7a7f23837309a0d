import type { CommandContext } from '../../core/context.js';
import { signatureHash } from '../../audit/signatures.js';
import { recordAudit } from '../../audit/log.js';
import { ACCESS_REVIEW, checkedComment, type SignatureView, signerName, toSignatureView } from '../signatures.js';

export interface SignAccessReviewInput {
  /** The sha256 of the report's content as the admin saw it. */
  reportHash: string;
  comment?: string;
}

/** Signs an access review: "reviewed", bound to the hash of the report's content as the admin saw it. */
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
