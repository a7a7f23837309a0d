// Saves one page again and again through its own connection to the store: `tsx outside-writer.ts <data dir> <saves>`.
// Used by the concurrency test to make the server's writers meet a real write lock from another process.
import { openStore } from '../../server/setup.js';
import { createPage, savePage } from '../../server/pages/commands.js';

const [dir, count] = process.argv.slice(2);
const saves = Number(count);
const store = openStore(dir!);
const ctx = { store, systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 1 << 20, actor: { username: 'writer' } };
const fm = { title: 'Outside writer page', why: 'Saved by another process at the same time.', owners: ['mreyes'], system: 'Epic', status: 'live' as const };
createPage(ctx, { slug: 'outside-writer', frontMatter: fm, body: 'v1' });
for (let i = 1; i < saves; i++) savePage(ctx, { slug: 'outside-writer', frontMatter: fm, body: `v${i + 1}`, summary: `outside ${i}`, baseVersion: i });
store.close();
