import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { withoutHidden } from '../auth/visibility.js';
import { staleIndexFollows } from '../reports/stale-index.js';
import { knowledge, knowledgeBase, refreshKnowledgeBase, type Knowledge, type KnowledgeBase } from '../reports/knowledge.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The knowledge snapshot the reports read, at the app's clock, without the restricted pages the
     * viewer may not see. Who owns what is read from the store once, then after each change (a write
     * here, or a commit by another process) only the pages written since; review states are compared with
     * the time per call.
     */
    knowledge(hidden?: Set<string>, person?: string): Knowledge;
  }
}

/** Above this many pages, one person's share is taken from the whole snapshot (kept for the minute) instead. */
const PERSON_ALONE_MAX = 1000;

/** Adds `app.knowledge()`: the reports' snapshot, cached until a page, review or the directory changes. */
export const knowledgePlugin = fp(
  async (app: FastifyInstance) => {
    let generation = 0;
    let memo: { key: string; base: KnowledgeBase } | undefined;
    let whole: { base: KnowledgeBase; minute: number; k: Knowledge } | undefined;
    const bump = () => { generation += 1; };
    app.events.on('page-changed', bump);
    app.events.on('page-reviewed', bump);
    app.events.on('directory-changed', bump);
    // With `person`, only the pages that person stands behind (what pagesOf reads), so a home page's queue
    // does not work out the review state of every page in the wiki.
    app.decorate('knowledge', (hidden: Set<string> = new Set(), person?: string) => {
      const key = `${generation}:${app.store.dataVersion()}`;
      // After a change only what was written since is read again: at 50,000 pages a whole read takes seconds.
      if (!memo) memo = { key, base: knowledgeBase(app.store) };
      else if (memo.key !== key) memo = { key, base: refreshKnowledgeBase(app.store, memo.base) };
      // Review states move with the clock but only by the day: the whole snapshot is worked out at most once
      // a minute, and then only compares each page's due instant with the time.
      const now = app.clock();
      const minute = Math.floor(now.getTime() / 60_000);
      const current = whole !== undefined && whole.base === memo.base && whole.minute === minute;
      // One person with few pages is worked out alone; someone who stands behind many is served from the whole.
      const alone = person !== undefined && !current && memo.base.pages.filter((p) => p.activePeople.includes(person)).length <= PERSON_ALONE_MAX;
      let k: Knowledge;
      if (alone) {
        k = knowledge(app.store, app.config.reviewDefaults, now, memo.base, person);
      } else {
        if (!current) {
          const next = knowledge(app.store, app.config.reviewDefaults, now, memo.base);
          // Pages are in title order in every snapshot here: the next stale index amends the last one.
          if (whole) staleIndexFollows(next, whole.k);
          whole = { base: memo.base, minute, k: next };
        }
        const w = whole!;
        k = person === undefined ? w.k : { ...w.k, pages: w.k.pages.filter((p) => p.activePeople.includes(person)) };
      }
      // Restricted pages the viewer may not see are not in any report, count or list.
      return hidden.size ? { ...k, pages: withoutHidden(hidden, k.pages) } : k;
    });
  },
  { name: 'knowledge' },
);
