import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import handlebars from 'handlebars';
import { FACETS, HISTORY_FIELD_NAMES, PAGE_FIELD_NAMES, type Filters, type HistoryHit, type PageHit, type SearchResponse, type Viewer } from '../search/engine.js';
import { SearchQueryError, SearchUnavailable } from '../search/client.js';
import { sendError } from './errors.js';
import { SearchReply, SearchStatusReply } from './api/schemas.js';

const Facet = Type.Optional(Type.String({ maxLength: 100 }));
const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 2000 })),
  system: Facet,
  module: Facet,
  status: Facet,
  owner: Facet,
  tag: Facet,
  history: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});
const ApiSearchQuery = Type.Composite([
  SearchQuery,
  Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  }),
]);
type SearchQueryT = Static<typeof SearchQuery>;

const PAGE_SIZE = 20;
const FACET_LABELS: Record<(typeof FACETS)[number], string> = { system: 'System', module: 'Module', status: 'Status', owner: 'Owner', tag: 'Tag' };

/** Text with the given ranges wrapped in <mark>, everything escaped. */
export function markedHtml(text: string, ranges: [number, number][]): string {
  const esc = handlebars.Utils.escapeExpression;
  let out = '';
  let at = 0;
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (s < at) continue;
    out += `${esc(text.slice(at, s))}<mark>${esc(text.slice(s, e))}</mark>`;
    at = e;
  }
  return out + esc(text.slice(at));
}


function filtersOf(q: SearchQueryT): Filters {
  const f: Filters = {};
  for (const k of FACETS) if (q[k]?.trim()) f[k] = q[k]!.trim();
  return f;
}

const isHistory = (q: SearchQueryT) => q.history === '1' || q.history === 'true';

function searchUrl(q: SearchQueryT, change: Partial<Record<keyof SearchQueryT, string | number | undefined>>): string {
  const params = new URLSearchParams();
  const merged: Record<string, unknown> = { ...q, ...change };
  for (const k of ['q', ...FACETS, 'history', 'page'] as const) {
    const v = merged[k];
    if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `/search?${s}` : '/search';
}

export async function searchRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  async function run(request: FastifyRequest, q: SearchQueryT, offset: number, limit: number): Promise<SearchResponse & { ms: number }> {
    const caller = request.user?.username ?? request.ip;
    return app.searchIndex.search({ q: q.q ?? '', filters: filtersOf(q), viewer: request.viewer, offset, limit, history: isHistory(q) }, caller);
  }

  /** Pages written but not yet searchable: an import being picked up shows here until it is indexed. */
  // Counted from the store on each ask (a handful of rows once search is current), and only pages this
  // viewer may see, so a restricted page being written does not show in anyone else's count.
  async function pendingPages(request: FastifyRequest): Promise<number> {
    const status = await app.searchIndex.status();
    if (status.state !== 'ready') return 0;
    return app.store.pages.slugsChangedSince(status.watermark).filter((slug) => !request.hidden.has(slug)).length;
  }

  function failure(request: FastifyRequest, reply: FastifyReply, e: unknown): Promise<FastifyReply> | null {
    if (e instanceof SearchUnavailable) {
      reply.header('Retry-After', '2');
      return sendError(request, reply, { statusCode: 503, error: 'Service Unavailable', message: e.message });
    }
    return null;
  }

  r.get('/api/search', { config: { access: 'read' }, schema: { querystring: ApiSearchQuery, response: { 200: SearchReply } } }, async (request, reply) => {
    const q = request.query;
    const limit = q.limit ?? 10;
    const offset = q.offset ?? ((q.page ?? 1) - 1) * limit;
    let res;
    try {
      res = await run(request, q, offset, limit);
    } catch (e) {
      const handled = failure(request, reply, e);
      if (handled) return handled;
      throw e;
    }
    const history = isHistory(q);
    return {
      query: q.q ?? '',
      total: res.total,
      offset,
      limit,
      took_ms: Math.round(res.ms * 100) / 100,
      notice: res.notice,
      read_as_text: res.readAsText,
      indexing: await pendingPages(request),
      results: history
        ? (res.hits as HistoryHit[]).map((h) => ({
            slug: h.slug,
            version: h.version,
            title: h.title,
            url: `/p/${h.slug}/v/${h.version}`,
            author: h.author,
            created_at: h.createdAt,
            score: h.score,
            snippet: h.snippet.text,
            snippet_field: h.snippet.field,
            highlights: h.snippet.highlights,
          }))
        : (res.hits as PageHit[]).map((h) => ({
            slug: h.slug,
            title: h.title,
            url: `/p/${h.slug}`,
            score: h.score,
            snippet: h.snippet.text,
            snippet_field: h.snippet.field,
            highlights: h.snippet.highlights,
            title_highlights: h.titleHighlights,
            status: h.status,
            system: h.system,
            module: h.module || null,
            owners: h.owners,
            updated_at: h.updatedAt,
            updated_by: h.updatedBy,
          })),
      facets: res.facets,
    };
  });

  // Counts, watermarks and sizes move when restricted pages are written, so only admins see them;
  // everyone else learns whether search is ready.
  r.get('/api/search/status', { config: { access: 'read' }, schema: { response: { 200: SearchStatusReply } } }, async (request) => {
    const status = await app.searchIndex.status();
    const indexing = await pendingPages(request);
    return request.viewer.admin ? { ...status, indexing } : { state: status.state, indexing };
  });

  // Rebuilds the main index now (in the background for large wikis); the old one answers meanwhile.
  r.post('/api/search/rebuild', { config: { access: 'admin' }, schema: { response: { 202: SearchStatusReply } } }, async (request, reply) => {
    await app.searchIndex.rebuild();
    return reply.status(202).send({ ...(await app.searchIndex.status()), indexing: await pendingPages(request) });
  });

  r.get('/search', { config: { access: 'read' }, schema: { querystring: SearchQuery } }, async (request, reply) => {
    const q = request.query;
    const page = q.page ?? 1;
    const history = isHistory(q);
    const shown = { title: q.q ? `Search: ${q.q.slice(0, 60)}` : 'Search', q: q.q ?? '', history, searchUrl: searchUrl(q, { page: undefined }) };
    const pending = await pendingPages(request);
    const base = { ...shown, indexing: pending, indexingCount: pending.toLocaleString('en-US') };
    const hasQuery = Boolean(q.q?.trim()) || FACETS.some((f) => q[f]?.trim());
    if (!hasQuery) return reply.view('search', { ...base, empty: true, pageUrl: searchUrl(q, { history: undefined }), historyUrl: searchUrl(q, { history: '1' }) });
    let res;
    try {
      res = await run(request, q, (page - 1) * PAGE_SIZE, PAGE_SIZE);
    } catch (e) {
      if (e instanceof SearchQueryError || e instanceof SearchUnavailable) {
        const status = e instanceof SearchQueryError ? 400 : 503;
        if (status === 503) reply.header('Retry-After', '2');
        return reply.status(status).view('search', { ...base, error: e.message, warming: e instanceof SearchUnavailable });
      }
      throw e;
    }
    const filters = filtersOf(q);
    // Owners read as people's and teams' names; the handle stays on hover and in the links.
    const party = (handle: string) => {
      const p = app.store.parties.get(handle);
      return { handle, name: p?.name ?? handle, href: p?.kind === 'team' ? `/teams/${handle}` : `/people/${handle}` };
    };
    const facets = history
      ? []
      : FACETS.map((f) => ({
          name: f,
          label: FACET_LABELS[f],
          active: filters[f] ?? null,
          clearUrl: searchUrl(q, { [f]: undefined, page: undefined }),
          values: res.facets[f].slice(0, 12).map((v) => ({
            ...v,
            ...(f === 'owner' ? { display: party(v.value).name, handle: v.value } : { display: v.value }),
            selected: filters[f]?.toLowerCase() === v.value.toLowerCase(),
            url: searchUrl(q, { [f]: v.value, page: undefined }),
          })),
        })).filter((f) => f.values.length || f.active);
    const pages = Math.ceil(res.total / PAGE_SIZE);
    const hits = history
      ? (res.hits as HistoryHit[]).map((h) => ({ ...h, url: `/p/${h.slug}/v/${h.version}`, titleHtml: handlebars.Utils.escapeExpression(h.title), snippetHtml: markedHtml(h.snippet.text, h.snippet.highlights) }))
      : (res.hits as PageHit[]).map((h) => ({ ...h, owners: h.owners.map(party), url: `/p/${h.slug}`, titleHtml: markedHtml(h.title, h.titleHighlights), snippetHtml: markedHtml(h.snippet.text, h.snippet.highlights) }));
    return reply.view('search', {
      ...base,
      hits,
      total: res.total,
      notice: res.notice,
      readAsText: res.readAsText.map((w) => `${w}:`).join(', '),
      fields: (history ? HISTORY_FIELD_NAMES : PAGE_FIELD_NAMES).join(', '),
      facets,
      anyFilter: Object.keys(filters).length > 0,
      clearFiltersUrl: searchUrl({ q: q.q, history: q.history }, {}),
      pageUrl: searchUrl(q, { history: undefined, page: undefined }),
      historyUrl: searchUrl({ q: q.q }, { history: '1' }),
      from: res.total ? (page - 1) * PAGE_SIZE + 1 : 0,
      to: Math.min(res.total, page * PAGE_SIZE),
      prevUrl: page > 1 ? searchUrl(q, { page: page - 1 }) : null,
      nextUrl: page < pages ? searchUrl(q, { page: page + 1 }) : null,
      page,
      pages,
    });
  });
}
