import type { FastifyInstance } from 'fastify';
import { Slug } from '../../pages/schema.js';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ValidationError } from '../../core/errors.js';
import { isCalendarDate } from '../../core/rules.js';
import { getCurrentPage, pageAsOf, pagesAsOf } from '../../pages/queries.js';
import { pageViewModel } from './pages.js';
import { withoutHidden } from '../../auth/visibility.js';

/**
 * Checks an as-of date. A malformed one is a 400 naming the format; one in the future is today,
 * since nothing is known about tomorrow.
 */
export function parseAsOf(value: string, field = 'as_of'): string {
  if (!isCalendarDate(value)) {
    throw new ValidationError([{ field, message: `"${value}" is not a date: write it as YYYY-MM-DD, for example 2024-03-18.` }]);
  }
  const today = new Date().toISOString().slice(0, 10);
  return value > today ? today : value;
}

const DateParams = Type.Object({ date: Type.String({ maxLength: 40 }) });

export async function asOfRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/as-of/:date/', { config: { access: 'read' }, schema: { params: DateParams } }, async (request, reply) => {
    const date = parseAsOf(request.params.date, 'date');
    const pages = withoutHidden(request.hidden, pagesAsOf(app.store, date)).sort((a, b) => a.frontMatter.title.localeCompare(b.frontMatter.title));
    const systems = app.config.systems.map((system) => ({ system, pages: pages.filter((p) => p.frontMatter.system === system) }));
    return reply.view('as-of', { title: `The wiki on ${date}`, asOfDate: date, systems, count: pages.length });
  });

  r.get('/as-of-go', { config: { access: 'read' }, schema: { querystring: Type.Object({ date: Type.String({ maxLength: 40 }) }) } }, async (request, reply) =>
    reply.redirect(`/as-of/${parseAsOf(request.query.date, 'date')}/`, 303),
  );

  r.get('/as-of/:date', { config: { access: 'read' }, schema: { params: DateParams } }, async (request, reply) =>
    reply.redirect(`/as-of/${encodeURIComponent(request.params.date)}/`, 301),
  );

  r.get('/as-of/:date/p/:slug', {
    config: { access: 'read' },
    schema: { params: Type.Object({ date: Type.String({ maxLength: 40 }), slug: Slug }) },
    // The date is checked before the page is looked for, for a page someone may not see as for a missing one.
    preHandler: async (request) => void parseAsOf(request.params.date, 'date'),
  }, async (request, reply) => {
    const date = parseAsOf(request.params.date, 'date');
    const page = pageAsOf(app.store, request.params.slug, date);
    const current = getCurrentPage(app.store, page.slug);
    return reply.view('page', { title: `${page.frontMatter.title} on ${date}`, page: await pageViewModel(app, page, request.hidden), asOf: date, old: page.version !== current.version, currentVersion: current.version });
  });
}
