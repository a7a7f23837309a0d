import type { SignatureMeaning } from '../../store/signatures.js';
import type { CommandContext } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { canSee } from '../../auth/visibility.js';
import { checkedComment, MEANINGS, recordSignature, type SignatureView, signerName, toSignatureView } from '../signatures.js';

export interface SignInput {
  slug: string;
  version: number;
  meaning: string;
  comment?: string;
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
    return recordSignature(ctx, unsigned, slug, { version: input.version, meaning, version_hash: version.hash });
  });
  ctx.events?.emit('page-reviewed', { slug });
  return toSignatureView(row);
}
