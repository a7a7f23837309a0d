/**
 * The attachment command and what it shares, one file each under commands/; this module re-exports them
 * so existing imports keep working.
 */
export * from './commands/shared.js';
export { attachFile, type AttachInput } from './commands/attach-file.js';
