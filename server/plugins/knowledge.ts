import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { withoutHidden } from '../auth/visibility.js';
import { knowledge, knowledgeBase, type Knowledge, type KnowledgeBase } from '../reports/knowledge.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The knowledge snapshot the reports read, at the app's clock, without the restricted pages the
     * viewer may not see. Who owns what is read from the store once per change (a write here, or a
     * commit by another process); review states are worked out per call.
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
    let whole: { key: string; k: Knowledge } | undefined;
    const bump = () => { generation += 1; };
    app.events.on('page-changed', bump);
    app.events.on('page-reviewed', bump);
    app.events.on('directory-changed', bump);
    // With `person`, only the pages that person stands behind (what pagesOf reads), so a home page's queue
    // does not work out the review state of every page in the wiki.
    app.decorate('knowledge', (hidden: Set<string> = new Set(), person?: string) => {
      const key = `${generation}:${app.store.dataVersion()}`;
      if (!memo || memo.key !== key) memo = { key, base: knowledgeBase(app.store) };
      // Review states move with the clock but only by the day: the whole snapshot is worked out at most once
      // a minute (tens of microseconds a page adds up to seconds at 50,000 pages), as page screens are cached.
      const now = app.clock();
      const minute = `${key}:${Math.floor(now.getTime() / 60_000)}`;
      // One person with few pages is worked out alone; someone who stands behind many is served from the whole.
      const alone = person !== undefined && whole?.key !== minute && memo.base.pages.filter((p) => p.activePeople.includes(person)).length <= PERSON_ALONE_MAX;
      let k: Knowledge;
      if (alone) {
        k = knowledge(app.store, app.config.reviewDefaults, now, memo.base, person);
      } else {
        if (whole?.key !== minute) whole = { key: minute, k: knowledge(app.store, app.config.reviewDefaults, now, memo.base) };
        k = person === undefined ? whole.k : { ...whole.k, pages: whole.k.pages.filter((p) => p.activePeople.includes(person)) };
      }
      // Restricted pages the viewer may not see are not in any report, count or list.
      return hidden.size ? { ...k, pages: withoutHidden(hidden, k.pages) } : k;
    });
  },
  { name: 'knowledge' },
);
