import { LRUCache } from 'lru-cache';

/**
 * What a request's sign-in resolved to, remembered per session or token so that a page view does not
 * read the account, its teams and the restricted pages from the store every time.
 *
 * Every entry is valid only while the store's auth generation (see UserStore.authGeneration) has not
 * moved: a sign-out, a revoked token, a role change, a deactivation, a team or restriction change, by
 * this process or any other, moves it in the same transaction, and the next request finds the cache
 * empty. The caller reads the counter once per request (Store.authGenerationAt, which reads it only
 * once the store's version moved) and passes it to `get` and `set`.
 */
export class AuthCache<T extends object> {
  private readonly entries: LRUCache<string, { value: T; generation: number }>;

  constructor(max = 10_000) {
    this.entries = new LRUCache({ max });
  }

  get(key: string, generation: number): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.generation !== generation) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** `generation` must have been read before what `value` was built from, so a change in between makes it stale, never wrong. */
  set(key: string, value: T, generation: number): void {
    this.entries.set(key, { value, generation });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
