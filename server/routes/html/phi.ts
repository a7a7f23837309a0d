import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { patternProblem, phiGuardFor, phiMessages } from '../../phi/guard.js';
import { addPhiRule } from '../../phi/commands/add-phi-rule.js';
import { retirePhiRule } from '../../phi/commands/retire-phi-rule.js';
import { commandContext } from '../command-context.js';
import { reshowForm } from './form-reshow.js';
import { closedForm } from './forms.js';
import { pager, PageParam } from './paging.js';

/** Rules per screen of each list on /admin/phi. */
const RULES_PAGE_SIZE = 100;
const PhiQuery = Type.Object({ page: PageParam, allowed_page: PageParam });

/** Admin screen for the PHI guard: the built-in detectors, the admins' own patterns and allowed terms, and a place to try text. */
export async function phiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { access: 'admin' as const };
  // Both lists are read whole (the guard runs every rule on every save anyway) and shown 100 at a time, each with its own pager.
  const show = (reply: FastifyReply, extra: Record<string, unknown> = {}, query: { page?: number; allowed_page?: number } = {}) => {
    const all = app.store.phiRules.active();
    const patternRules = all.filter((x) => x.kind === 'pattern');
    const allowedRules = all.filter((x) => x.kind === 'allow');
    const patternPager = pager('/admin/phi', { allowed_page: query.allowed_page }, patternRules.length, query.page ?? 1, RULES_PAGE_SIZE);
    const allowedPager = pager('/admin/phi', { page: query.page }, allowedRules.length, query.allowed_page ?? 1, RULES_PAGE_SIZE, 'allowed_page');
    // A pattern saved before patterns ran on RE2 may not compile there; the guard skips it, so say so.
    const patterns = patternRules.slice(patternPager.offset, patternPager.offset + patternPager.size).map((x) => ({ ...x, problem: patternProblem(x.value) }));
    const allowed = allowedRules.slice(allowedPager.offset, allowedPager.offset + allowedPager.size);
    return reply.view('phi', { title: 'PHI guard', patterns, allowed, patternPager, allowedPager, mrnPatterns: app.config.mrnPatterns, ...extra });
  };

  r.get('/admin/phi', { config, schema: { querystring: PhiQuery } }, async (request, reply) => show(reply, {}, request.query));

  r.post(
    '/admin/phi/rules',
    { config, schema: { body: closedForm({ kind: Type.Union([Type.Literal('pattern'), Type.Literal('allow')]), value: Type.String({ maxLength: 300 }), label: Type.Optional(Type.String({ maxLength: 100 })) }) } },
    async (request, reply) => {
      const { kind, value, label } = request.body;
      try {
        addPhiRule(commandContext(app, request), { kind, value, label });
        // What was stored before the rule is checked against it, in the background.
        app.phiScan.rulesChanged();
      } catch (e) {
        return reshowForm(reply, e, (problem) => show(reply, { errors: problem.errors, values: { [kind]: value, [`${kind}_label`]: label } }));
      }
      return show(reply, { done: kind === 'pattern' ? 'Pattern added: every save from now on is checked against it, and everything already stored is being scanned again (see the retro-scan).' : 'Term allowed: the guard no longer refuses it.' });
    },
  );

  r.post('/admin/phi/rules/:id/retire', { config, schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), body: closedForm({}) } }, async (request, reply) => {
    try {
      retirePhiRule(commandContext(app, request), { id: request.params.id });
      app.phiScan.rulesChanged();
    } catch (e) {
      return reshowForm(reply, e, (problem) => show(reply, { problem: problem.text }), { missingToo: true });
    }
    return show(reply, { done: 'Rule removed.' });
  });

  // Trying text changes nothing: it is a POST only because the text can be long.
  r.post('/admin/phi/try', { config, schema: { body: closedForm({ text: Type.String({ maxLength: 200_000 }) }) } }, async (request, reply) => {
    const hits = phiGuardFor(app.store, app.config.mrnPatterns).scan({ text: request.body.text });
    return show(reply, { tried: request.body.text, findings: hits.length ? phiMessages(hits)[0]!.message : null, clean: hits.length === 0 });
  });
}
