/**
 * The page commands, one file each under commands/; this module re-exports them so existing imports
 * keep working. New code may import either.
 */
export type { Actor, CommandContext } from '../core/context.js';
export { PhiRefused } from '../phi/guard.js';
export type { PageDraft, SavePageInput, SaveResult } from './commands/shared.js';
export { createPage, type CreatePageInput } from './commands/create-page.js';
export { savePage } from './commands/save-page.js';
export { restorePage, type RestoreInput } from './commands/restore-page.js';
export { setArchived, type SetArchivedInput } from './commands/set-archived.js';
export { changeStatus, type StatusChangeInput } from './commands/change-status.js';
export { moveOwnership, type MoveOwnershipInput, type OwnershipMove } from './commands/move-ownership.js';
export { reconcileSupersession, type ReconcileSupersessionInput } from './commands/reconcile-supersession.js';
export { renamePage, type RenameInput } from './commands/rename-page.js';
export { markReviewed, type MarkReviewedInput, type MarkReviewedResult } from './commands/mark-reviewed.js';
export { saveDraft, type SaveDraftInput } from './commands/save-draft.js';
export { discardDraft, type DiscardDraftInput } from './commands/discard-draft.js';
