import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { redactText, redactValue } from '../auth/visibility.js';
import { stringify } from 'csv-stringify/sync';
import { AUDIT_ACTIONS, recordAudit } from '../audit/log.js';
import { describeReport, verifyStore } from '../audit/verify.js';
import { ValidationError, type FieldError } from '../core/errors.js';
import { isCalendarDate } from '../core/rules.js';
import type { AuditFilter, AuditRow } from '../store/audit.js';
import { closedForm } from './html/forms.js';
import { AuditExportReply, AuditReply, CsvReply } from './api/schemas.js';
import { unknownAfter } from './api/list-paging.js';

const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(Type.String({ maxLength: 60 })),
  page: Type.Optional(Type.String({ maxLength: 200 })),
  system: Type.Optional(Type.String({ maxLength: 60 })),
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  p: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  // Keyset paging beside `p`: an offset page shifts when events are added, an event id does not.
  after: Type.Optional(Type.Integer({ minimum: 1, description: 'Continue after this event id (as `next` does); not together with p.' })),
});
type AuditQuery = Static<typeof AuditQuery>;

/** The export form on /audit: the filters shown, as hidden fields. */
const ExportForm = closedForm({
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(Type.String({ maxLength: 60 })),
  page: Type.Optional(Type.String({ maxLength: 200 })),
  system: Type.Optional(Type.String({ maxLength: 60 })),
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
});

type ExportFormat = 'csv' | 'json';

const PAGE_SIZE = 50;

/** Turns the query into a filter, naming each bad filter value. Empty values mean "any". */
function toFilter(q: AuditQuery, systems: string[]): AuditFilter {
  const errors: FieldError[] = [];
  const f: AuditFilter = {};
  if (q.actor?.trim()) f.actor = q.actor.trim();
  if (q.page?.trim()) f.page = q.page.trim();
  if (q.action?.trim()) {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(q.action.trim())) errors.push({ field: 'action', message: `action must be one of: ${AUDIT_ACTIONS.join(', ')}.` });
    else f.action = q.action.trim();
  }
  if (q.system?.trim()) {
    if (!systems.includes(q.system.trim())) errors.push({ field: 'system', message: `system must be one of: ${systems.join(', ')}.` });
    else f.system = q.system.trim();
  }
  for (const key of ['from', 'to'] as const) {
    const v = q[key]?.trim();
    if (!v) continue;
    if (!isCalendarDate(v)) errors.push({ field: key, message: `${key} must be a date written YYYY-MM-DD.` });
    else f[key] = key === 'from' ? `${v}T00:00:00.000Z` : `${v}T23:59:59.999Z`;
  }
  if (f.from && f.to && f.from > f.to) errors.push({ field: 'from', message: 'from must not be after to.' });
  if (errors.length) throw new ValidationError(errors);
  return f;
}

/** The filters of a query as URL parameters, for the links to the following events. */
function filterParams(q: AuditQuery): URLSearchParams {
  return new URLSearchParams(Object.entries({ actor: q.actor, action: q.action, page: q.page, system: q.system, from: q.from, to: q.to }).filter(([, v]) => v) as [string, string][]);
}

/**
 * The events of one answer: by `after` (keyset) or by `p` (offset, kept for scripts that use it), and the
 * address of the following events by `after` while more remain. `p` and `after` together are refused.
 */
function auditSlice(app: FastifyInstance, q: AuditQuery, filter: AuditFilter, limit: number, path: string): { rows: AuditRow[]; next: string | null } {
  let rows: AuditRow[];
  if (q.after !== undefined) {
    if (q.p !== undefined) throw new ValidationError([{ field: 'after', message: 'Use either p or after, not both.' }]);
    // The cursor must be an event this reader sees under these filters, else the list would silently restart or skip.
    if (!app.store.audit.matches(filter, q.after)) throw unknownAfter();
    rows = app.store.audit.searchBefore(filter, q.after, limit + 1);
  } else {
    rows = app.store.audit.search(filter, limit + 1, ((q.p ?? 1) - 1) * limit);
  }
  const more = rows.length > limit;
  rows = rows.slice(0, limit);
  if (!more) return { rows, next: null };
  const params = filterParams(q);
  if (q.limit !== undefined) params.set('limit', String(q.limit));
  params.set('after', String(rows[rows.length - 1]!.id));
  return { rows, next: `${path}?${params.toString()}` };
}

/** One event as shown to a reader; pages this reader may not see are named "a restricted page" in its details. */
function eventJson(e: AuditRow, hidden: ReadonlySet<string>) {
  return { id: e.id, at: e.at, actor: e.actor, action: e.action, target: e.target, client: e.client, details: redactValue(JSON.parse(e.details) as unknown, hidden), prev_hash: e.prev_hash, hash: e.hash };
}

/** The audit log: screens and API for auditors and admins, exports that are themselves audited. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { access: 'audit' as const };

  const exportEvent = (request: FastifyRequest, format: string, filter: AuditFilter, count: number) =>
    app.store.transaction(() => recordAudit(app.store, { actor: request.user!.username, action: 'export.made', target: 'audit', client: request.ip, details: { format, filter: { ...filter, hiddenTargets: undefined }, count } }));

  r.get('/audit', { config, schema: { querystring: AuditQuery } }, async (request, reply) => {
    const q = request.query;
    const filter = { ...toFilter(q, app.config.systems), hiddenTargets: [...request.hidden] };
    const page = q.p ?? 1;
    const total = app.store.audit.count(filter);
    const slice = auditSlice(app, { ...q, limit: undefined }, filter, PAGE_SIZE, '/audit');
    const events = slice.rows.map((e) => eventJson(e, request.hidden));
    const params = filterParams(q).toString();
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (slice.next) reply.header('Link', `<${slice.next}>; rel="next"`);
    return reply.view('audit', {
      title: 'Audit log',
      q,
      events: events.map((e) => ({ ...e, detailsText: JSON.stringify(e.details) })),
      total,
      // Reached by `after`, the page number is not known (newer events may have arrived since).
      page: q.after === undefined ? page : null,
      pages,
      // After an `after` link the page number is not known: back leads to the newest events, on goes by `after`.
      prev: q.after !== undefined ? `/audit?${params}` : page > 1 ? `/audit?${params}&p=${page - 1}` : null,
      next: q.after !== undefined ? slice.next : page < pages ? `/audit?${params}&p=${page + 1}` : null,
      exportFields: Object.entries({ actor: q.actor, action: q.action, page: q.page, system: q.system, from: q.from, to: q.to }).filter(([, v]) => v).map(([name, value]) => ({ name, value })),
      actions: AUDIT_ACTIONS,
      systems: app.config.systems,
      actors: app.store.audit.actors(),
      siem: app.syslog?.status(),
    });
  });

  r.get('/audit/verify', { config }, async (_request, reply) => {
    const report = verifyStore(app.store);
    return reply.view('audit-verify', { title: 'Verify the record', report, lines: describeReport(report) });
  });

  r.get('/api/audit', { config, schema: { querystring: AuditQuery, response: { 200: AuditReply } } }, async (request, reply) => {
    const q = request.query;
    const filter = { ...toFilter(q, app.config.systems), hiddenTargets: [...request.hidden] };
    const limit = q.limit ?? PAGE_SIZE;
    const slice = auditSlice(app, q, filter, limit, '/api/audit');
    if (slice.next) reply.header('Link', `<${slice.next}>; rel="next"`);
    const events = slice.rows.map((e) => eventJson(e, request.hidden));
    // `page` is the offset page asked for; an answer reached by `after` has none.
    return { total: app.store.audit.count(filter), ...(q.after === undefined ? { page: q.p ?? 1 } : {}), limit, ...(slice.next ? { next: slice.next } : {}), events };
  });

  /** Writes the export and records it, in one place for the API and the screen. */
  const sendExport = (request: FastifyRequest, reply: FastifyReply, format: ExportFormat, query: AuditQuery) => {
    const filter = { ...toFilter(query, app.config.systems), hiddenTargets: [...request.hidden] };
    const rows = app.store.audit.search(filter, Number.MAX_SAFE_INTEGER, 0);
    exportEvent(request, format, filter, rows.length);
    if (format === 'json') {
      const events = rows.map((e) => eventJson(e, request.hidden));
      reply.header('Content-Disposition', 'attachment; filename="whywiki-audit.json"');
      // The filter is shown without the list of hidden pages it carries: that list is exactly what must not be seen.
      return reply.send({ exported_at: app.clock().toISOString(), filter: { ...filter, hiddenTargets: undefined }, count: events.length, events });
    }
    const csv = stringify(rows.map((e) => [e.id, e.at, e.actor, e.action, e.target ?? '', e.client ?? '', redactText(e.details, request.hidden), e.prev_hash ?? '', e.hash]), {
      header: true,
      columns: ['id', 'at', 'actor', 'action', 'target', 'client', 'details', 'prev_hash', 'hash'],
    });
    return reply.header('Content-Type', 'text/csv; charset=utf-8').header('Content-Disposition', 'attachment; filename="whywiki-audit.csv"').send(csv);
  };

  // An export is recorded under the name of whoever makes it, so a browser must not make one by merely
  // loading a URL: an image in a page would make every auditor who opens it export the log. Scripts with
  // an API token keep their GET; browsers post the form on /audit, which carries its CSRF token.
  for (const format of ['csv', 'json'] as const) {
    r.get(`/api/audit/export.${format}`, { config, schema: { querystring: AuditQuery, response: { 200: format === 'json' ? AuditExportReply : CsvReply } } }, async (request, reply) => {
      if (request.authMethod !== 'token') {
        reply.header('Allow', 'POST');
        return reply.methodNotAllowed(`Export the audit log with the ${format.toUpperCase()} button on /audit; a link cannot make an export. Scripts send an API token ("Authorization: Bearer <token>").`);
      }
      return sendExport(request, reply, format, request.query);
    });
    r.post(`/audit/export.${format}`, { config, schema: { body: ExportForm } }, async (request, reply) => {
      const { _csrf: _token, ...query } = request.body;
      return sendExport(request, reply, format, query);
    });
  }
}
