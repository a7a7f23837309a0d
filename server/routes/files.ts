import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Slug } from '../pages/schema.js';
import { attachFile, FilePhiRefused, type AttachedFile } from '../files/commands.js';
import { FileRefused, acceptedFor } from '../files/policy.js';
import { fileMarkdown, fileRemovedNotice, fileUrl } from '../files/refs.js';
import { closeOcr } from '../files/ocr.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { commandContext, phiOverrideOf } from './command-context.js';
import { sendError, toErrorBody } from './errors.js';

/** A file part as @fastify/multipart's onFile hook leaves it in the body (see app.ts). */
export interface UploadedPart {
  filename: string;
  data: Buffer;
  truncated: boolean;
}

export function isUploadedPart(value: unknown): value is UploadedPart {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedPart).data) && typeof (value as UploadedPart).filename === 'string';
}

const SlugParams = Type.Object({ slug: Slug });
const FileParams = Type.Object({ slug: Slug, sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }), name: Type.String({ minLength: 1, maxLength: 300 }) });
const AttachmentReply = Type.Object(
  {
    name: Type.String({ description: 'The file name, cleaned: letters, digits, dot, dash and underscore.' }),
    url: Type.String({ description: 'Same-origin path of the file; `![alt](<url>)` in the page shows an image, `[name](<url>)` links it.' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    size: Type.Integer({ description: 'Bytes.' }),
    type: Type.String({ description: 'The type read from the bytes.' }),
  },
  { additionalProperties: true },
);
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const AttachmentsReply = Type.Object({
  attachments: Type.Array(
    Type.Composite([
      AttachmentReply,
      Type.Object({ alt: Nullable(Type.String()), width: Nullable(Type.Integer()), height: Nullable(Type.Integer()), added_by: Type.String(), added_at: Type.String() }),
    ]),
  ),
});

/**
 * Adds a file to a page for the signed-in editor (the edit form without JavaScript uses it too), or
 * explains in words why not.
 */
export async function uploadFromRequest(app: FastifyInstance, request: FastifyRequest, slug: string, part: unknown, fields: { alt?: unknown; phi_override_reason?: unknown }): Promise<AttachedFile> {
  if (!isUploadedPart(part)) throw new FileRefused('Choose a file to add: the upload has no file in its "file" field.');
  if (part.truncated) {
    throw new FileRefused(`“${part.filename}” is larger than the limit of ${Math.round(app.config.maxAttachmentBytes / (1024 * 1024))} MB for one file; nothing was stored.`, 'too_large');
  }
  const ctx = { ...commandContext(app, request, { phiOverride: phiOverrideOf(fields.phi_override_reason) }), limits: { maxPixels: 40_000_000, ocrTimeoutMs: app.config.ocrTimeoutMs, extractTimeoutMs: 20_000 } };
  return attachFile(ctx, { slug, name: part.filename, bytes: part.data, alt: typeof fields.alt === 'string' ? fields.alt : undefined });
}

/** The 422 of a refused upload carries each finding (kind, line, masked text, and the region in an image). */
export async function sendUploadError(request: FastifyRequest, reply: FastifyReply, e: unknown): Promise<FastifyReply> {
  if (e instanceof FilePhiRefused) return reply.status(422).send({ ...toErrorBody(e), findings: e.findings });
  throw e;
}

/**
 * The edit form's plain file field (the way to add a file without JavaScript): the file is added to the
 * page and its markdown appended to the body before the save. A refused file becomes a form error on the
 * file field, with every typed value kept.
 */
export async function withFormUpload(app: FastifyInstance, request: FastifyRequest, values: Record<string, string>, slug: string | undefined): Promise<void> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const part = body.file;
  if (!isUploadedPart(part) || (part.filename === '' && part.data.length === 0)) return;
  // Files go to a page that exists (so a restricted page's address cannot be probed by uploading to it).
  if (!slug || !app.store.pages.head(slug)) throw new ValidationError([{ field: 'file', message: 'Create the page first, then add screenshots and files from its editor.' }]);
  try {
    const file = await uploadFromRequest(app, request, slug, part, { alt: body.file_alt, phi_override_reason: body.phi_override_reason });
    values.body = `${(values.body ?? '').replace(/\s+$/, '')}\n\n${fileMarkdown(file, typeof body.file_alt === 'string' ? body.file_alt : undefined)}\n`;
  } catch (e) {
    if (e instanceof FilePhiRefused) throw new ValidationError(e.errors, 422);
    if (e instanceof FileRefused) throw new ValidationError([{ field: 'file', message: e.message }], 400);
    throw e;
  }
}

export async function fileRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The OCR worker thread ends with the app (the next upload in this process starts a fresh one).
  app.addHook('onClose', async () => closeOcr());

  r.post(
    '/api/pages/:slug/attachments',
    {
      config: { access: 'write' },
      schema: {
        params: SlugParams,
        consumes: ['multipart/form-data'],
        description:
          'Adds a file to the page, as `multipart/form-data` with the file in the field `file` (and optionally `alt`; admins may send `phi_override_reason`). ' +
          'The type is read from the bytes; the PHI guard reads its text (OCR for images). 413 over the size limit, 415 for a type that is not accepted, ' +
          '422 with `findings` when the guard finds patient data.',
        response: { 201: AttachmentReply },
      },
    },
    async (request, reply) => {
      // Files belong to a page that exists: a missing page answers exactly as a hidden one does.
      if (!app.store.pages.head(request.params.slug)) throw new NotFoundError(`There is no page "${request.params.slug}".`);
      if (!request.isMultipart()) {
        return sendError(request, reply, { statusCode: 415, error: 'Unsupported Media Type', message: 'Send the file as multipart/form-data, in a field named "file" (and optionally "alt").' });
      }
      const body = (request.body ?? {}) as Record<string, unknown>;
      try {
        const file = await uploadFromRequest(app, request, request.params.slug, body.file, body);
        return reply.status(201).send(file);
      } catch (e) {
        return sendUploadError(request, reply, e);
      }
    },
  );

  r.get('/api/pages/:slug/attachments', { config: { access: 'read' }, schema: { params: SlugParams, response: { 200: AttachmentsReply } } }, async (request) => {
    if (!app.store.pages.head(request.params.slug)) throw new NotFoundError(`There is no page "${request.params.slug}".`);
    return {
    attachments: app.store.files.forPage(request.params.slug).map((f) => ({
      name: f.name,
      url: fileUrl(f.slug, f.sha256, f.name),
      sha256: f.sha256,
      size: f.size,
      type: f.type,
      alt: f.alt,
      width: f.width,
      height: f.height,
      added_by: f.added_by,
      added_at: f.added_at,
    })),
    };
  });

  r.get(
    '/p/:slug/files/:sha256/:name',
    { config: { access: 'read' }, schema: { params: FileParams, querystring: Type.Object({ size: Type.Optional(Type.Literal('thumb')) }, { additionalProperties: false }) } },
    async (request, reply) => {
      const { slug, sha256 } = request.params;
      // Only through a page the file belongs to: a restricted page's files are as missing as the page.
      const stored = app.store.files.belongsTo(slug, sha256) ? app.store.files.bytes(sha256) : undefined;
      if (!stored) throw new NotFoundError(`Nothing lives at ${request.url.split('?')[0]}.`);
      // A purged file keeps its digest but not its bytes: say what happened instead (only once the page
      // check above passed, so a hidden page's file still answers 404).
      const removal = app.store.files.removal(sha256);
      if (removal) return sendError(request, reply, { statusCode: 410, error: 'Gone', message: fileRemovedNotice(removal) });
      const accepted = acceptedFor(stored.type);
      const name = (app.store.files.forPage(slug).find((f) => f.sha256 === sha256)?.name ?? request.params.name).replace(/[^\p{L}\p{N}._-]+/gu, '-');
      reply.header('X-Content-Type-Options', 'nosniff');
      if (accepted?.inline) {
        const thumb = request.query.size === 'thumb' ? app.store.files.thumbnail(sha256) : null;
        reply.header('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`);
        reply.header('Content-Security-Policy', "default-src 'none'; sandbox");
        return reply.type(thumb ? 'image/webp' : stored.type).send(thumb ?? stored.bytes);
      }
      // Drawings, documents and text are downloads, and sandboxed if opened anyway: nothing in them runs here.
      reply.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      return reply.type(stored.type).send(stored.bytes);
    },
  );
}
