import fs from 'node:fs';
import YAML from 'yaml';
import type { CommandContext } from '../core/context.js';
import type { Store } from '../store/index.js';
import { openHandover } from './commands/open-handover.js';
import { updateHandoverPage } from './commands/update-handover-page.js';
import { savePath } from './commands/save-path.js';
import { assignPath } from './commands/assign-path.js';
import { recordStepRead } from './commands/record-step-read.js';

interface TransferFile {
  handovers?: { person: string; leaving_in_days: number; successor?: string; opened_by: string; pages?: Record<string, { state: string; note?: string }> }[];
  paths?: { title: string; description?: string; by: string; steps: { slug: string; note?: string }[]; assigned?: string[]; reads?: { person: string; slug: string; versions_back?: number }[] }[];
}

const DAY = 86_400_000;

/**
 * The demo's handovers and reading paths (content/knowledge-transfer.yaml), written through the same
 * commands people use. Leaving dates are counted from `now`, so the demo's departure is always ahead.
 */
export function seedKnowledgeTransfer(store: Store, file: string, base: Omit<CommandContext, 'actor' | 'store'>, now: Date): void {
  if (!fs.existsSync(file)) return;
  const content = (YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}) as TransferFile;
  // The demo's usernames are the people's handles, so each acts as the person it names (who may accept a page).
  const ctx = (username: string): CommandContext => ({ ...base, store, actor: { username, person: username }, at: now, client: 'seed' });
  const today = now.toISOString().slice(0, 10);
  for (const h of content.handovers ?? []) {
    const date = new Date(now.getTime() + h.leaving_in_days * DAY).toISOString().slice(0, 10);
    openHandover(ctx(h.opened_by), { handle: h.person, date, successor: h.successor, today });
    for (const [slug, step] of Object.entries(h.pages ?? {})) {
      // Walked through first, then accepted by the successor: the order it happens in.
      updateHandoverPage(ctx(h.person), { handle: h.person, slug, state: 'walked_through', note: step.note });
      if (step.state === 'accepted' && h.successor) updateHandoverPage(ctx(h.successor), { handle: h.person, slug, state: 'accepted' });
    }
  }
  for (const p of content.paths ?? []) {
    const { id } = savePath(ctx(p.by), { title: p.title, description: p.description, steps: p.steps });
    if (p.assigned?.length) assignPath(ctx(p.by), { id, people: p.assigned });
    for (const r of p.reads ?? []) {
      const head = store.pages.head(r.slug);
      if (!head) throw new Error(`${file}: no page "${r.slug}" to read`);
      recordStepRead(ctx(r.person), { id, slug: r.slug, person: r.person, version: Math.max(1, head.current_version - (r.versions_back ?? 0)) });
    }
  }
}
