import { Type, type TSchema } from '@sinclair/typebox';
import { FrontMatterSchema } from '../../pages/schema.js';
import { ListPaging } from './list-paging.js';

/**
 * The shapes the JSON API answers with, for the OpenAPI document. Answers are written as the handlers make
 * them (see the serializer in openapi.ts), so these describe them and test/http/openapi.test.ts checks that
 * every answer matches; objects whose contents grow with the product stay open (extra properties allowed).
 */

const Open = { additionalProperties: true } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** One field at fault, as the form shows it beside the field. */
export const FieldError = Type.Object({ field: Type.String(), message: Type.String() });

/** Every error answer, whatever the route (server/routes/errors.ts writes it). */
export const ErrorReply = Type.Object(
  {
    statusCode: Type.Integer({ description: 'The HTTP status again.' }),
    error: Type.String({ description: 'The HTTP reason phrase, e.g. "Bad Request".' }),
    message: Type.String({ description: 'What went wrong and what to do, in words for a person.' }),
    field: Type.Optional(Type.String({ description: 'The first field at fault, for a refused value.' })),
    errors: Type.Optional(Type.Array(FieldError, { description: 'Every field at fault, each with its message.' })),
    base_version: Type.Optional(Type.Integer({ description: 'On a 409 conflict: the version the edit started from.' })),
    current_version: Type.Optional(Type.Integer({ description: 'On a 409 conflict: the version the page is at now.' })),
  },
  { ...Open, title: 'Error' },
);

/** A page in JSON: flat, its front matter fields beside its body and what version this is. */
export const PageReply = Type.Object(
  {
    slug: Type.String(),
    ...FrontMatterSchema.properties,
    body: Type.String({ description: 'The Markdown text.' }),
    version: Type.Integer({ description: 'Read-only. Send it back (or as base_version) when saving: it is the version the edit started from.' }),
    author: Type.String({ description: 'Read-only: who wrote this version.' }),
    updated_at: Type.String({ format: 'date-time', description: 'Read-only: when this version was written.' }),
    summary: Type.String({ description: "This version's change summary." }),
    hash: Type.String({ description: "Read-only: this version's hash in the page's chain." }),
    archived: Type.Boolean({ description: 'Read-only: archive and unarchive have their own routes.' }),
    html: Type.String({ description: 'Read-only: the body rendered, sanitized.' }),
  },
  { title: 'Page', additionalProperties: false },
);

export const SavedPageReply = Type.Composite([PageReply, Type.Object({ unchanged: Type.Boolean({ description: 'True when nothing differed, so no version was written.' }) })], {
  additionalProperties: false,
});

export const ConflictReply = Type.Composite(
  [
    Type.Omit(ErrorReply, ['field', 'errors']),
    Type.Object({
      changes: Type.Object({ fields: Type.Array(Type.Object({}, Open)), body: Type.Array(Type.Object({ kind: Type.String(), text: Type.String() }, Open)) }, Open),
      current: PageReply,
    }),
  ],
  { ...Open, description: 'The page changed since base_version: nothing was written; what changed, and the page as it is now.' },
);

export const PageListReply = Type.Object({
  total: Type.Integer({ description: 'Listed pages this reader may see, in all answers together.' }),
  limit: Nullable(Type.Integer({ description: 'Pages per answer.' })),
  offset: Type.Integer(),
  next: Type.Optional(Type.String({ description: 'The address of the following answer; absent on the last.' })),
  pages: Type.Array(Type.Object({ slug: Type.String(), ...FrontMatterSchema.properties, version: Type.Integer(), updated_at: Type.String() }, Open)),
});

export const VersionsReply = Type.Object({
  slug: Type.String(),
  ...ListPaging,
  versions: Type.Array(
    Type.Object({ version: Type.Integer(), author: Type.String(), created_at: Type.String(), summary: Type.String(), hash: Type.String(), prev_hash: Nullable(Type.String()) }),
  ),
});

export const DiffReply = Type.Object({
  slug: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  fields: Type.Array(Type.Object({}, Open)),
  body: Type.Array(Type.Object({ kind: Type.String(), text: Type.String() }, Open)),
  stats: Type.Object({ added: Type.Integer(), removed: Type.Integer() }),
});

export const BlameReply = Type.Object({
  slug: Type.String(),
  version: Type.Integer(),
  lines: Type.Array(Type.Object({ number: Type.Integer(), text: Type.String(), version: Type.Integer(), author: Type.String(), created_at: Type.String(), summary: Type.String() })),
});

export const PreviewReply = Type.Object({ html: Type.String() });

export const HealthzReply = Type.Object({
  status: Type.Literal('ok'),
  pages: Type.Integer(),
  siem: Type.Optional(
    Type.Object({ connected: Type.Boolean(), backlog: Type.Integer({ description: 'Audit events not yet handed to the collector.' }) }, { description: 'Only when audit forwarding (WHYWIKI_SYSLOG_URL) is set up.' }),
  ),
});

/** A report: its rows (and for most a count); the rows' fields are the report's columns. */
export const ReportReply = Type.Object({ count: Type.Optional(Type.Integer()) }, { ...Open, description: 'See the report screens under /reports for what each column means.' });

export const HealthReply = Type.Object(
  { as_of: Type.String(), weeks: Type.Array(Type.String({ description: 'The first day of each week counted in edits_per_week.' })), rows: Type.Array(Type.Object({ system: Type.String(), module: Nullable(Type.String()), pages: Type.Integer() }, Open)) },
  Open,
);

const PartyBase = {
  handle: Type.String(),
  kind: Type.Union([Type.Literal('person'), Type.Literal('team')]),
  name: Type.String(),
  status: Type.String(),
};
export const PersonReply = Type.Object(
  {
    ...PartyBase,
    title: Type.Optional(Nullable(Type.String())),
    email: Type.Optional(Nullable(Type.String())),
    departed_on: Type.Optional(Nullable(Type.String())),
    successor: Type.Optional(Nullable(Type.String())),
    departure_reason: Type.Optional(Nullable(Type.String())),
    teams: Type.Optional(Type.Array(Type.String())),
    members: Type.Optional(Type.Array(Type.Object({ handle: Type.String(), name: Type.String(), status: Type.String() }))),
  },
  { ...Open, title: 'Party', description: 'A person or a team of the directory.' },
);
export const DirectoryReply = Type.Object({ ...ListPaging, people: Type.Array(PersonReply), teams: Type.Array(PersonReply) });
export const TeamsReply = Type.Object({ ...ListPaging, teams: Type.Array(PersonReply) });

export const ReassignReply = Type.Object({
  from: Type.String(),
  to: Type.String(),
  moved: Type.Array(Type.Object({ slug: Type.String(), version: Type.Integer(), owners: Type.Array(Type.String()) })),
});
export const ReviewReply = Type.Object({ slug: Type.String(), version: Type.Integer(), reviewed_at: Type.String(), reviewed_by: Type.String() });
export const StatusReply = Type.Object({ slug: Type.String(), version: Type.Integer(), status: Type.String(), superseded_by: Type.Array(Type.String()), summary: Type.String() });
export const BacklinksReply = Type.Object({
  slug: Type.String(),
  ...ListPaging,
  backlinks: Type.Array(Type.Object({ slug: Type.String(), title: Type.String(), system: Type.String(), status: Type.String() })),
});

export const SearchReply = Type.Object(
  {
    query: Type.String(),
    total: Type.Integer(),
    offset: Type.Integer(),
    limit: Type.Integer(),
    took_ms: Type.Number(),
    notice: Nullable(Type.Object({ kind: Type.Union([Type.Literal('any-word'), Type.Literal('fuzzy'), Type.Literal('incomplete')]), text: Type.String() }, { description: 'Set when the words were loosened to find anything, or when the query ran out of its work budget (incomplete).' })),
    read_as_text: Type.Array(Type.String(), { description: 'Words written before a ":" that name no field ("Check in: Unit 4"); they were searched as text.' }),
    indexing: Type.Integer({ description: 'Pages written but not yet searchable (an import being picked up); 0 when search is up to date.' }),
    results: Type.Array(Type.Object({ slug: Type.String(), title: Type.String(), url: Type.String(), score: Type.Number(), snippet: Type.String() }, Open)),
    facets: Type.Object({}, Open),
  },
  Open,
);
export const SearchStatusReply = Type.Object(
  { state: Type.Union(['starting', 'building', 'ready', 'failed'].map((s) => Type.Literal(s))), pages: Type.Optional(Type.Integer({ description: 'admins only' })), rebuilding: Type.Optional(Type.Boolean({ description: 'admins only' })), indexing: Type.Integer({ description: 'Pages written but not yet searchable (that this user may see)' }) },
  Open,
);

export const AuditEvent = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Nullable(Type.String()),
  client: Nullable(Type.String()),
  details: Type.Unknown(),
  prev_hash: Nullable(Type.String()),
  hash: Type.String(),
});
export const AuditReply = Type.Object({
  total: Type.Integer(),
  page: Type.Optional(Type.Integer({ description: 'The page asked for with p (1 without it); absent on an answer asked for with after.' })),
  limit: Type.Integer(),
  next: Type.Optional(Type.String({ description: 'The address of the following events (by after); absent on the last answer.' })),
  events: Type.Array(AuditEvent),
});
export const AuditExportReply = Type.Object({ exported_at: Type.String(), filter: Type.Object({}, Open), count: Type.Integer(), events: Type.Array(AuditEvent) });
export const CsvReply = { content: { 'text/csv': { schema: Type.String({ description: 'One row per event, with a header row.' }) } } };

/** The OpenAPI document itself. */
export const OpenApiReply = Type.Object({ openapi: Type.String(), info: Type.Object({}, Open), paths: Type.Object({}, Open) }, Open);

/** A purge request or applied purge. Never holds the removed text. */
export const PurgeReply = Type.Object(
  {
    id: Type.Integer(),
    status: Type.String({ description: '"awaiting approval", "applied" or "withdrawn".' }),
    slug: Type.String(),
    version: Type.Integer(),
    reason: Type.String(),
    fields: Type.Record(Type.String(), Type.Integer(), { description: 'Where the text occurs: occurrences per field (front_matter, body, summary).' }),
    requested_by: Type.String(),
    requested_at: Type.String({ format: 'date-time' }),
    approved_by: Nullable(Type.String()),
    approved_at: Nullable(Type.String({ format: 'date-time' })),
    copies_to_destroy: Nullable(
      Type.Object(
        {
          exports: Type.Array(Type.Object({ event: Type.Integer(), at: Type.String(), actor: Type.String(), what: Type.String() }), { description: 'Exports recorded since the version was written: they still hold the text.' }),
          backups_since: Type.String({ description: 'Backups are not recorded in the audit log: every backup made since this time holds the text.' }),
        },
        Open,
      ),
    ),
    file: Type.Optional(Nullable(Type.String({ description: 'For a purge of an attachment: the sha256 of the file whose bytes are removed (null for text).' }))),
    file_pages: Type.Optional(Type.Array(Type.String(), { description: 'Every page that shows the file: files are stored once, so its bytes go from all of them.' })),
  },
  { ...Open, title: 'Purge' },
);
