import type { CommandContext } from '../../core/context.js';
import { ACCESS_REVIEW, checkedComment, recordSignature, type SignatureView, signerName, toSignatureView } from '../signatures.js';

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
    return recordSignature(ctx, unsigned, ACCESS_REVIEW, { meaning: 'reviewed', report_hash: reportHash });
  });
  return toSignatureView(row);
}
