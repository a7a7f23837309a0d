import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { phiGuardFor } from '../../phi/guard.js';
import { ImportError, parseStatusMap, type ImportSummary } from '../../transfer/import.js';
import { importFolder, unpackZip } from '../../transfer/source.js';
import { isUploadedPart } from '../files.js';
import { InvalidError, PayloadTooLargeError } from '../../core/errors.js';
import { reshowForm } from './form-reshow.js';

/**
 * Admins import a zip (a docs folder, decision records, Word documents, a Confluence export) with the code
 * the command line uses. The first step is always a dry run, worked out on a copy of the store, so a dry
 * run never holds the live store in a transaction; the report names every file. The import itself then
 * runs on the same unpacked folder.
 */

interface Upload {
  dir: string;
  root: string;
  name: string;
  user: string;
  at: number;
  fields: Fields;
}

interface Fields {
  system: string;
  owners: string;
  why: string;
  status_map: string;
  create_people: boolean;
}

const KEEP_MS = 60 * 60 * 1000;

export async function importRoutes(app: FastifyInstance): Promise<void> {
  const config = { access: 'admin' as const };
  const uploads = new Map<string, Upload>();
  const forget = (token: string) => {
    const u = uploads.get(token);
    if (u) fs.rmSync(u.dir, { recursive: true, force: true });
    uploads.delete(token);
  };
  app.addHook('onClose', async () => {
    for (const token of [...uploads.keys()]) forget(token);
  });
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && 'value' in v ? String((v as { value: unknown }).value) : '').trim();
  const fieldsOf = (body: Record<string, unknown>): Fields => ({ system: text(body.system), owners: text(body.owners), why: text(body.why), status_map: text(body.status_map), create_people: text(body.create_people) === 'on' });
  const options = (f: Fields) => {
    const defaults: Record<string, string> = {};
    if (f.system) defaults.system = f.system;
    if (f.owners) defaults.owners = f.owners;
    if (f.why) defaults.why = f.why;
    return { defaults, statusMap: parseStatusMap(f.status_map), createPeople: f.create_people };
  };
  const rules = () => ({ systems: app.config.systems, maxBodyBytes: app.config.maxBodyBytes, events: app.events, phi: phiGuardFor(app.store, app.config.mrnPatterns) });
  const form = (reply: FastifyReply, values: Partial<Fields>, error?: string) => {
    return reply.view('admin-import', { title: 'Import', values, systems: app.config.systems.map((s) => ({ name: s, selected: s === values.system })), error, maxMb: Math.round(app.config.maxAttachmentBytes / (1024 * 1024)) });
  };
  const report = (summary: ImportSummary) => ({
    lines: summary.report.map((l) => ({ ...l, failed: l.outcome === 'failed' })),
    notes: summary.notes,
    skipped: summary.skipped,
    problems: summary.problems,
    totals: { created: summary.created, updated: summary.updated, unchanged: summary.unchanged, failed: summary.failed, skipped: summary.skipped.length, versions: summary.versions },
    formats: Object.entries(summary.formats).map(([f, n]) => `${n} ${f}`).join(', '),
  });

  app.get('/admin/import', { config }, async (_request, reply) => form(reply, {}));

  app.post('/admin/import', { config }, async (request: FastifyRequest, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const fields = fieldsOf(body);
    const part = body.file;
    const refused = (e: unknown) => reshowForm(reply, e instanceof ImportError ? new InvalidError(e.message, 'file') : e, (problem) => form(reply, fields, problem.text));
    if (!isUploadedPart(part) || part.data.length === 0) return refused(new InvalidError('Choose a .zip file to import.', 'file'));
    if (part.truncated) return refused(new PayloadTooLargeError(`“${part.filename}” is larger than the upload limit of ${Math.round(app.config.maxAttachmentBytes / (1024 * 1024))} MB; import it from the command line (whywiki import).`));
    for (const [token, u] of uploads) if (Date.now() - u.at > KEEP_MS) forget(token);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-import-'));
    try {
      const opts = options(fields);
      const root = await unpackZip(part.data, path.join(dir, 'files'));
      // The dry run imports into a copy of the store: the same code and checks, and the live store untouched.
      const { summary } = await importFolder(app.store, rules(), root, { ...opts, actor: request.user!.username, dryRun: true });
      const token = randomBytes(18).toString('base64url');
      uploads.set(token, { dir, root, name: part.filename, user: request.user!.username, at: Date.now(), fields });
      return reply.view('admin-import-report', { title: 'Import: dry run', dryRun: true, token, name: part.filename, ...report(summary) });
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      return refused(e);
    }
  });

  app.post('/admin/import/run', { config }, async (request: FastifyRequest, reply) => {
    const token = text((request.body as Record<string, unknown> | undefined)?.upload);
    const upload = uploads.get(token);
    // Gone, not a refusal of anything typed: no error kind says that, so the status is this route's own.
    if (!upload || upload.user !== request.user!.username) return form(reply.status(410), {}, 'That dry run is no longer here (it is kept for an hour, for the admin who made it). Upload the zip again.');
    uploads.delete(token);
    try {
      const { summary } = await importFolder(app.store, rules(), upload.root, { ...options(upload.fields), actor: request.user!.username });
      return reply.view('admin-import-report', { title: 'Import: done', dryRun: false, name: upload.name, ...report(summary) });
    } finally {
      fs.rmSync(upload.dir, { recursive: true, force: true });
    }
  });
}
