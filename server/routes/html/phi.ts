import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { patternProblem, phiGuardFor, phiMessages } from '../../phi/guard.js';
import { recordAudit } from '../../audit/log.js';

const Csrf = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };

/** Admin screen for the PHI guard: the built-in detectors, the admins' own patterns and allowed terms, and a place to try text. */
export async function phiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { access: 'admin' as const };
  const rules = () =>
    app.store.db.prepare<[], { id: number; kind: string; value: string; label: string | null; created_by: string; created_at: string }>(
      'SELECT id, kind, value, label, created_by, created_at FROM phi_rules WHERE retired_at IS NULL ORDER BY kind, id',
    ).all();
  const show = (reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const all = rules();
    return reply.view('phi', { title: 'PHI guard', patterns: all.filter((x) => x.kind === 'pattern'), allowed: all.filter((x) => x.kind === 'allow'), mrnPatterns: app.config.mrnPatterns, ...extra });
  };

  r.get('/admin/phi', { config }, async (_request, reply) => show(reply));

  r.post(
    '/admin/phi/rules',
    { config, schema: { body: Type.Object({ kind: Type.Union([Type.Literal('pattern'), Type.Literal('allow')]), value: Type.String({ maxLength: 300 }), label: Type.Optional(Type.String({ maxLength: 100 })), ...Csrf }, { additionalProperties: false }) } },
    async (request, reply) => {
      const { kind, label } = request.body;
      const value = request.body.value.trim();
      const problem = kind === 'pattern' ? patternProblem(value) : value.length < 3 ? 'An allowed term is at least 3 characters, so it cannot wave through everything.' : null;
      if (problem) {
        reply.status(400);
        return show(reply, { errors: { [kind]: problem }, values: { [kind]: value, [`${kind}_label`]: label } });
      }
      app.store.transaction(() => {
        const id = Number(
          app.store.db.prepare('INSERT INTO phi_rules (kind, value, label, created_by, created_at) VALUES (?, ?, ?, ?, ?)').run(kind, value, label?.trim() || null, request.user!.username, new Date().toISOString()).lastInsertRowid,
        );
        recordAudit(app.store, { actor: request.user!.username, action: 'phi.rule_added', target: `phi-rule:${id}`, client: request.ip, details: { kind, value, label: label?.trim() || null } });
      });
      return show(reply, { done: kind === 'pattern' ? 'Pattern added: every save from now on is checked against it.' : 'Term allowed: the guard no longer refuses it.' });
    },
  );

  r.post(
    '/admin/phi/rules/:id/retire',
    { config, schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), body: Type.Object(Csrf, { additionalProperties: false }) } },
    async (request, reply) => {
      const changed = app.store.transaction(() => {
        const n = app.store.db.prepare('UPDATE phi_rules SET retired_at = ?, retired_by = ? WHERE id = ? AND retired_at IS NULL').run(new Date().toISOString(), request.user!.username, request.params.id).changes;
        if (n === 1) recordAudit(app.store, { actor: request.user!.username, action: 'phi.rule_retired', target: `phi-rule:${request.params.id}`, client: request.ip });
        return n === 1;
      });
      if (!changed) reply.status(404);
      return show(reply, changed ? { done: 'Rule removed.' } : { problem: `There is no active rule #${request.params.id}.` });
    },
  );

  // Trying text changes nothing: it is a POST only because the text can be long.
  r.post('/admin/phi/try', { config, schema: { body: Type.Object({ text: Type.String({ maxLength: 200_000 }), ...Csrf }, { additionalProperties: false }) } }, async (request, reply) => {
    const hits = phiGuardFor(app.store, app.config.mrnPatterns).scan({ text: request.body.text });
    return show(reply, { tried: request.body.text, findings: hits.length ? phiMessages(hits)[0]!.message : null, clean: hits.length === 0 });
  });
}
