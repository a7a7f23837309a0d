import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PhiScanResult } from '../phi/retro-scan.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const PhiScanReply = Type.Object(
  {
    ran_at: Type.String({ description: 'When the scan started.' }),
    ms: Type.Integer({ description: 'How long it took (in the background, beside requests).' }),
    current: Type.Boolean({ description: 'Whether it ran under the rules in force now (false while a re-scan after a rule change runs).' }),
    scanning: Type.Boolean(),
    under: Type.Object({ rules: Type.Array(Type.Object({ id: Type.Integer(), kind: Type.String(), value: Type.String(), label: Type.Union([Type.String(), Type.Null()]) })), mrn_patterns: Type.Array(Type.String()) }, { description: 'The admin rules and configured MRN patterns it ran under, beside the built-in detectors.' }),
    scanned: Type.Object({ bytes: Type.Integer() }, { additionalProperties: Type.Integer(), description: 'Rows read per source (version, attachment, draft) and bytes of text (UTF-8) scanned.' }),
    total: Type.Integer({ description: 'Findings in all; `findings` lists the first 5,000.' }),
    findings: Type.Array(
      Type.Object({
        source: Type.String({ description: 'version, attachment or draft' }),
        slug: Type.String(),
        version: Type.Union([Type.Integer(), Type.Null()]),
        field: Type.String(),
        line: Type.Integer(),
        kind: Type.String(),
        rule: Nullable(Type.String()),
        excerpt: Type.String({ description: 'Masked as the guard masks it: label words kept, digits and letters after the first hidden.' }),
        purge: Nullable(Type.String({ description: "The page's history, where a version's purge is requested." })),
      }),
    ),
  },
  { description: 'The latest PHI retro-scan of every stored version, attachment text and draft, under the current rules.' },
);

/** Findings on pages this reader may not see are left out, and not counted (kept or not). */
function visible(result: PhiScanResult, hidden: ReadonlySet<string>): PhiScanResult {
  if (hidden.size === 0) return result;
  const { unkept_by_slug: unkept, ...rest } = result;
  const findings = result.findings.filter((f) => !hidden.has(f.slug));
  // A result stored before per-page counts were kept can only discount the findings it kept.
  const total = unkept
    ? findings.length + Object.entries(unkept).reduce((n, [slug, count]) => (hidden.has(slug) ? n : n + count), 0)
    : result.total - (result.findings.length - findings.length);
  return { ...rest, findings, total };
}

/** The PHI retro-scan's report: JSON for tools, and a screen for admins and auditors. */
export async function phiScanRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { access: 'audit' as const };

  r.get('/api/reports/phi', { config, schema: { response: { 200: PhiScanReply } } }, async (request) => {
    const result = visible(await app.phiScan.current(), request.hidden);
    return { ...result, current: app.phiScan.isCurrent(result), scanning: app.phiScan.scanning };
  });

  r.get('/admin/phi/scan', { config }, async (request, reply) => {
    const result = visible(await app.phiScan.current(), request.hidden);
    const sources = Object.entries(result.scanned).filter(([k]) => k !== 'bytes').map(([name, count]) => ({ name, count }));
    return reply.view('phi-scan', {
      title: 'PHI retro-scan',
      result,
      sources,
      size: result.scanned.bytes < 1e6 ? `${(result.scanned.bytes / 1e3).toFixed(1)} KB` : `${(result.scanned.bytes / 1e6).toFixed(1)} MB`,
      shown: result.findings.length,
      more: result.total > result.findings.length,
      isAdmin: request.user?.role === 'admin',
    });
  });
}
