import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

// zxcvbn and its dictionaries are loaded when the first password is checked, not at every start.
const require = createRequire(import.meta.url);

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/**
 * zxcvbn with its list of common passwords (and the diceware list it ships with). A password that is on
 * that list, or is a small variation of entries on it ("password1234", "qwertyuiop123", "aaaaaaaaaaaa"),
 * scores 0 or 1 and is refused; long passphrases score high whatever their characters.
 */
let estimator: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  if (!estimator) {
    const { ZxcvbnFactory: Factory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    estimator = new Factory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  }
  return estimator;
}

/** What is wrong with a new password, in words for the form; null when it is acceptable. */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    return `A password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long; a few unrelated words make a good one.`;
  }
  if (password.trim() !== password) return 'A password must not begin or end with a space.';
  const lowered = password.toLowerCase();
  if (userInputs.some((u) => u.length >= 4 && lowered.includes(u.toLowerCase()))) return 'A password must not contain your username.';
  // zxcvbn's work grows with length; past the first 100 characters a password is long enough to judge.
  const result = zxcvbn().check(password.slice(0, 100));
  if (result.score <= 1) return 'That password is on a list of common passwords, or is an easy variation of one. Choose something less predictable.';
  return null;
}
