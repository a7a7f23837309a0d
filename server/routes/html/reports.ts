import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { brokenLinksReport, orphansReport, staleRow } from '../../reports/reports.js';
import { staleView } from '../../reports/stale-index.js';
import { editsChart, keyPersonChart, reviewShareChart, riskChart } from '../../reports/charts.js';
import { keyPeople as keyPeopleOf } from '../../reports/key-person.js';
import { openHandovers } from '../../knowledge-transfer/handover.js';
import { currentKnowledge, healthFor, snapshotReport } from '../api/turnover.js';
import { pager, PageParam } from './paging.js';

/** Rows per screen of a report list; the counts above each list stay whole. */
export const REPORT_PAGE_SIZE = 100;
const PageQuery = Type.Object({ page: PageParam });

const pct = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);

/** The turnover reports as screens: orphans, stale reviews, knowledge health and broken links. */
export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/reports', { config: { access: 'read' } }, async (request, reply) => {
    const k = currentKnowledge(app, request.hidden);
    return reply.view('reports', {
      title: 'Reports',
      orphans: k.pages.filter((p) => p.orphaned).length,
      stale: staleView(app.knowledge(), request.hidden).count,
      broken: brokenLinksReport(app.store, request.hidden).count,
      pages: k.pages.length,
      flagged: new Set(app.store.comments.openFlags().filter((f) => !request.hidden.has(f.slug)).map((f) => f.slug)).size,
    });
  });

  r.get('/reports/orphans', { config: { access: 'read' }, schema: { querystring: PageQuery } }, async (request, reply) => {
    const report = orphansReport(currentKnowledge(app, request.hidden));
    const departed = new Map<string, { handle: string; name: string; successor: string | null; count: number }>();
    for (const p of report.pages) {
      for (const o of p.owners) {
        if (o.state !== 'departed') continue;
        const party = app.store.parties.get(o.handle)!;
        const entry = departed.get(o.handle) ?? { handle: o.handle, name: o.name, successor: party.successor ? app.store.parties.get(party.successor)?.name ?? party.successor : null, count: 0 };
        entry.count++;
        departed.set(o.handle, entry);
      }
    }
    const paged = pager('/reports/orphans', {}, report.count, request.query.page ?? 1, REPORT_PAGE_SIZE);
    return reply.view('reports-orphans', { title: 'Orphaned pages', report, rows: report.pages.slice(paged.offset, paged.offset + paged.size), pager: paged, departed: [...departed.values()] });
  });

  r.get('/reports/stale', { config: { access: 'read' }, schema: { querystring: PageQuery } }, async (request, reply) => {
    // Counted from the kept ordered list and the hidden pages alone; rows are built for this screen's pages only.
    const view = staleView(app.knowledge(), request.hidden);
    // Paged by (owner, page) row, as the screen shows them: an owner whose list runs over the end of a screen
    // carries on at the top of the next one, marked as continued, with their whole count in the heading.
    const total = view.owners.reduce((n, o) => n + o.count, 0);
    const paged = pager('/reports/stale', {}, total, request.query.page ?? 1, REPORT_PAGE_SIZE);
    const owners = [];
    let before = 0;
    for (const o of view.owners) {
      if (before >= paged.offset + paged.size) break;
      const from = Math.max(0, paged.offset - before);
      const to = Math.min(o.count, paged.offset + paged.size - before);
      before += o.count;
      if (from >= to) continue;
      owners.push({ ...o.owner, count: o.count, href: o.owner.kind === 'team' ? `/teams/${o.owner.handle}` : `/people/${o.owner.handle}`, continued: from > 0, items: o.slice(from, to).map(staleRow) });
    }
    const report = { count: view.count };
    return reply.view('reports-stale', { title: 'Overdue reviews', report, owners, pager: paged });
  });

  app.get('/reports/health', { config: { access: 'read' } }, async (request, reply) => {
    const report = healthFor(app, request.hidden);
    const keyPeople = snapshotReport(app, request.hidden, 'key-people', keyPeopleOf);
    return reply.view('reports-health', {
      handovers: openHandovers(app.store, request.hidden),
      keyPeople: keyPeople.slice(0, 12).map((p) => ({ ...p, count: p.pages.length })),
      title: 'Knowledge health',
      report,
      rows: report.rows.map((r) => ({ ...r, share: pct(r.current_review_share), edits: r.edits_per_week.reduce((a, b) => a + b, 0), isTotal: r.system === 'All systems', isSystem: r.module === null })),
      charts: { review: reviewShareChart(report.rows.slice(1)), risk: riskChart(report.rows), edits: editsChart(report.rows, report.weeks), keyPerson: keyPersonChart(keyPeople) },
    });
  });

  app.get('/reports/health.csv', { config: { access: 'read' } }, async (request, reply) => {
    const report = healthFor(app, request.hidden);
    const header = ['system', 'module', 'pages', 'under_review', 'current_review', 'current_review_share', 'single_owner', 'orphaned', 'without_ticket', ...report.weeks.map((w) => `edits_week_of_${w}`)];
    const rows = report.rows.map((r) => [r.system, r.module ?? '', r.pages, r.under_review, r.current_review, r.current_review_share === null ? '' : r.current_review_share.toFixed(3), r.single_owner, r.orphaned, r.without_ticket, ...r.edits_per_week]);
    const csv = stringify([header, ...rows], { cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) } });
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="whywiki-health-${report.as_of.slice(0, 10)}.csv"`)
      .send(csv);
  });

  r.get('/reports/broken-links', { config: { access: 'read' }, schema: { querystring: PageQuery } }, async (request, reply) => {
    const report = brokenLinksReport(app.store, request.hidden);
    const paged = pager('/reports/broken-links', {}, report.count, request.query.page ?? 1, REPORT_PAGE_SIZE);
    return reply.view('reports-broken-links', { title: 'Broken links', report, links: report.links.slice(paged.offset, paged.offset + paged.size), pager: paged });
  });
}
