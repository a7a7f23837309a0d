/**
 * The purge commands, one file each under commands/, and what they share; this module re-exports them
 * so existing imports keep working.
 */
export * from './commands/shared.js';
export { requestPurge, type PurgeRequestInput } from './commands/request-purge.js';
export { approvePurge, type ApprovePurgeInput } from './commands/approve-purge.js';
