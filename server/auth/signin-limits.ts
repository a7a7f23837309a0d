import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { normalizeIP, type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';

type Counted = { current: number; ttl: number };
type LimitStatus = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;
type Callback = (error: Error | null, result?: Counted) => void;

/**
 * @fastify/rate-limit's fixed windows on the app's clock (its own store reads Date.now()), so a test moves
 * the clock past a window instead of waiting for it.
 */
export function clockedRateLimitStore(clock: () => Date): FastifyRateLimitStoreCtor {
  class ClockedStore implements FastifyRateLimitStore {
    private readonly windows = new LRUCache<string, { count: number; start: number }>({ max: 10_000 });

    private live(key: string, timeWindow: number, now: number) {
      const w = this.windows.get(key);
      return w && w.start + timeWindow > now ? w : undefined;
    }

    incr(key: string, callback: Callback, timeWindow: number): void {
      const now = clock().getTime();
      const w = this.live(key, timeWindow, now) ?? { count: 0, start: now };
      w.count++;
      this.windows.set(key, w);
      callback(null, { current: w.count, ttl: w.start + timeWindow - now });
    }

    /** The count without adding to it, for `{ increment: false }`. */
    read(key: string, callback: Callback, timeWindow: number): void {
      const now = clock().getTime();
      const w = this.live(key, timeWindow, now);
      callback(null, w ? { current: w.count, ttl: w.start + timeWindow - now } : { current: 0, ttl: 0 });
    }

    child(): FastifyRateLimitStore {
      return new ClockedStore();
    }
  }
  return ClockedStore;
}

/**
 * The account an attempt is counted against: the username a sign-in form names, or, when a signed-in
 * person re-enters their password to sign, their own account.
 */
export function signinAccountKey(request: FastifyRequest): string {
  const named = (request.body as { username?: unknown } | undefined)?.username;
  const username = typeof named === 'string' ? named : request.user?.username ?? '';
  return username.trim().toLowerCase().slice(0, 200);
}

export type SigninRefusal = 'locked' | 'rate limited';

export type SigninAttempt =
  | { refused: false; /** Call once the password has been checked; only a failure counts. */ finish: (failed: boolean) => Promise<void> }
  | { refused: SigninRefusal; retryAfterSeconds: number; /** Whether this is the first refusal of its window (the one worth recording). */ first: boolean };

/**
 * Two limits on signing in, both counting failures only: per account name (so nobody can guess one
 * account's password) and per client address (so nobody can try one password on many accounts). A person
 * who signs in correctly ten times and then mistypes once is not locked out.
 * Attempts still being checked count as failures until they finish, so a burst of parallel guesses
 * cannot slip past the count.
 */
export class SigninLimits {
  private readonly account;
  private readonly address;
  private readonly pending = new Map<string, number>();
  /** Per limit key, until when a refusal has been recorded: one record per window, however many tries. */
  private readonly refusalsNoted = new LRUCache<string, number>({ max: 10_000 });
  private readonly clock: () => number;

  constructor(app: FastifyInstance, accountName: (request: FastifyRequest) => string, limits: { perAccount: number; perAddress: number; windowMs: number }) {
    this.account = app.createRateLimit({ max: limits.perAccount, timeWindow: limits.windowMs, keyGenerator: (request) => `account:${accountName(request)}` });
    this.address = app.createRateLimit({ max: limits.perAddress, timeWindow: limits.windowMs, keyGenerator: (request) => `address:${normalizeIP(request.ip)}` });
    this.clock = () => app.clock().getTime();
  }

  private left(status: LimitStatus): { key: string; left: number; ttl: number } {
    if (status.isAllowed) return { key: status.key, left: Infinity, ttl: 0 };
    return { key: status.key, left: status.remaining - (this.pending.get(status.key) ?? 0), ttl: status.ttl };
  }

  async begin(request: FastifyRequest): Promise<SigninAttempt> {
    const address = this.left(await this.address(request, { increment: false }));
    const account = this.left(await this.account(request, { increment: false }));
    const over = address.left <= 0 ? { ...address, why: 'rate limited' as const } : account.left <= 0 ? { ...account, why: 'locked' as const } : null;
    if (over) {
      const now = this.clock();
      const until = now + Math.max(over.ttl, 1000);
      const first = (this.refusalsNoted.get(over.key) ?? 0) <= now;
      if (first) this.refusalsNoted.set(over.key, until);
      return { refused: over.why, retryAfterSeconds: Math.max(1, Math.ceil(over.ttl / 1000)), first };
    }
    const keys = [address.key, account.key];
    for (const k of keys) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    let finished = false;
    return {
      refused: false,
      finish: async (failed) => {
        if (finished) return;
        finished = true;
        // Counted before it stops being pending, so no check in between sees it as neither.
        try {
          if (failed) await Promise.all([this.address(request), this.account(request)]);
        } finally {
          for (const k of keys) {
            const n = (this.pending.get(k) ?? 1) - 1;
            if (n > 0) this.pending.set(k, n);
            else this.pending.delete(k);
          }
        }
      },
    };
  }
}
