import type { FastifyInstance } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { brokenLinksReport, healthReport, orphansReport, staleReport } from '../../reports/reports.js';
import { editsChart, keyPersonChart, reviewShareChart, riskChart } from '../../reports/charts.js';
import { keyPeople as keyPeopleOf } from '../../reports/key-person.js';
import { openHandovers } from '../../knowledge-transfer/handover.js';
import { currentKnowledge } from '../api/turnover.js';

const pct = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);

/** The turnover reports as screens: orphans, stale reviews, knowledge health and broken links. */
export async function reportRoutes(app: FastifyInstance): Promise<void> {
  app.get('/reports', { config: { access: 'read' } }, async (request, reply) => {
    const k = currentKnowledge(app, request.hidden);
    return reply.view('reports', {
      title: 'Reports',
      orphans: k.pages.filter((p) => p.orphaned).length,
      stale: k.pages.filter((p) => p.review.overdue).length,
      broken: brokenLinksReport(app.store, request.hidden).count,
      pages: k.pages.length,
      flagged: new Set(app.store.comments.openFlags().filter((f) => !request.hidden.has(f.slug)).map((f) => f.slug)).size,
    });
  });

  app.get('/reports/orphans', { config: { access: 'read' } }, async (request, reply) => {
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
    return reply.view('reports-orphans', { title: 'Orphaned pages', report, departed: [...departed.values()] });
  });

  app.get('/reports/stale', { config: { access: 'read' } }, async (request, reply) => {
    const report = staleReport(currentKnowledge(app, request.hidden));
    const bySlug = new Map(report.pages.map((p) => [p.slug, p]));
    const owners = report.by_owner.map((o) => ({ ...o, href: o.kind === 'team' ? `/teams/${o.handle}` : `/people/${o.handle}`, items: o.pages.map((s) => bySlug.get(s)!) }));
    return reply.view('reports-stale', { title: 'Overdue reviews', report, owners });
  });

  app.get('/reports/health', { config: { access: 'read' } }, async (request, reply) => {
    const k = currentKnowledge(app, request.hidden);
    const report = healthReport(app.store, k, app.config.systems, request.hidden);
    const keyPeople = keyPeopleOf(k);
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
    const report = healthReport(app.store, currentKnowledge(app, request.hidden), app.config.systems, request.hidden);
    const header = ['system', 'module', 'pages', 'under_review', 'current_review', 'current_review_share', 'single_owner', 'orphaned', 'without_ticket', ...report.weeks.map((w) => `edits_week_of_${w}`)];
    const rows = report.rows.map((r) => [r.system, r.module ?? '', r.pages, r.under_review, r.current_review, r.current_review_share === null ? '' : r.current_review_share.toFixed(3), r.single_owner, r.orphaned, r.without_ticket, ...r.edits_per_week]);
    const csv = stringify([header, ...rows], { cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) } });
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="whywiki-health-${report.as_of.slice(0, 10)}.csv"`)
      .send(csv);
  });

  app.get('/reports/broken-links', { config: { access: 'read' } }, async (request, reply) => {
    return reply.view('reports-broken-links', { title: 'Broken links', report: brokenLinksReport(app.store, request.hidden) });
  });
}
