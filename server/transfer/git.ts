import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/index.js';
import { ImportError, readSourceText, slugForFile, slugFromPath, type ImportProblem, type ReadOptions, type SourcePage, type SourceVersion } from './import.js';

interface Commit {
  sha: string;
  author: string;
  email: string;
  date: string;
  message: string;
  /** `from` is the path before a rename. */
  changes: { status: string; file: string; from?: string }[];
}

function git(repo: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', repo, ...args], { maxBuffer: 1024 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Reads the history of the markdown files in a git repository (optionally under one folder): every
 * commit that touched a file becomes a version of its page, with the commit's author, date and message.
 * A file moved or renamed (git's rename detection) stays the same page; a deleted file's page is archived
 * by the commit that deleted it. An old version that cannot be read is left out and reported; the page stays.
 */
export function readGitHistory(store: Store, repo: string, subPath: string | undefined, maxBytes: number, options: ReadOptions = {}): { pages: SourcePage[]; problems: ImportProblem[]; skipped: ImportProblem[] } {
  const root = path.resolve(repo);
  if (!fs.existsSync(root)) throw new ImportError(`The repository ${root} does not exist.`);
  try {
    git(root, ['rev-parse', '--git-dir']);
  } catch {
    throw new ImportError(`${root} is not a git repository (git rev-parse failed); import --git takes the folder of a clone.`);
  }
  const scope = subPath ? subPath.replace(/^\.?\//, '').replace(/\/?$/, '/') : '';
  const inScope = (f: string | undefined) => f !== undefined && f.startsWith(scope);
  const page = (f: string) => /\.(md|markdown)$/i.test(f) && !/(^|\/)(readme|template)\.(md|markdown)$/i.test(f) && !/^(index|_index)\.(md|markdown)$/i.test(inScope(f) ? f.slice(scope.length) : f);
  // The whole log, not a pathspec: a folder renamed into the scope (doc/ to docs/) keeps its history.
  const raw = git(root, ['log', '--reverse', '--no-merges', '-M', '--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f', '--name-status']).toString('utf8');
  const commits: Commit[] = raw
    .split('\x1e')
    .filter((r) => r.trim())
    .map((r) => {
      const [sha, author, email, date, message, rest] = r.split('\x1f');
      const changes = (rest ?? '')
        .split('\n')
        .map((l) => l.split('\t'))
        .filter((p) => p.length >= 2 && /^[AMDRC]/.test(p[0]!))
        .map((p) => (p[0]!.startsWith('R') ? { status: 'R', from: p[1]!, file: p[2]! } : p[0]!.startsWith('C') ? { status: 'A', file: p[2]! } : { status: p[0]!.charAt(0), file: p[1]! }))
        // Files outside the folder are read too: one moved into it later brings its earlier history.
        .filter((c) => page(c.file) || (c.from !== undefined && page(c.from)));
      return { sha: sha!, author: author!, email: email!, date: new Date(date!).toISOString(), message: message!.trim(), changes };
    })
    .filter((c) => c.changes.length > 0);
  if (commits.length === 0) throw new ImportError(`No commit in ${root} touches markdown files${subPath ? ` under ${subPath}` : ''}.`);

  const byName = new Map(store.parties.all().map((p) => [p.name.toLowerCase(), p.handle]));
  const authorOf = (c: Commit) => {
    const local = c.email.split('@')[0]!.toLowerCase();
    if (store.parties.get(local)) return local;
    return byName.get(c.author.toLowerCase()) ?? c.author;
  };
  const pages = new Map<string, SourcePage>();
  /** Pages that were, at some commit, inside the folder being imported; only these are imported. */
  const entered = new Set<string>();
  const problems: ImportProblem[] = [];
  const failures: { problem: ImportProblem; slug: string; before: number }[] = [];
  /** Which page each path in the working tree is, as of the commit being read. */
  const live = new Map<string, string>();
  const slugFor = (file: string): string => {
    const taken = (slug: string) => [...live.entries()].some(([f, s]) => s === slug && f !== file);
    const own = slugForFile(file);
    if (!taken(own)) return own;
    const apart = slugFromPath(file);
    const p = pages.get(apart);
    const holder = [...live.entries()].find(([, s]) => s === own)?.[0];
    if (!p?.notes?.length) {
      const target = pages.get(apart) ?? { slug: apart, versions: [], mode: 'dated' as const, notes: [] };
      target.notes = [`${holder ?? 'another file'} already gives the slug "${own}"; ${file} is the page "${apart}"`];
      pages.set(apart, target);
    }
    return apart;
  };
  // A first pass follows each file through its renames without reading it, so that only files that are
  // at some point inside the folder are read (and files elsewhere in a large repository are not).
  const lineageOf = new Map<string, number>();
  const lineage = new Map<object, number>();
  const entering = new Set<number>();
  let next = 0;
  for (const c of commits) {
    for (const change of c.changes) {
      const id = (change.status === 'R' && change.from !== undefined ? lineageOf.get(change.from) : undefined) ?? lineageOf.get(change.file) ?? next++;
      if (change.status === 'R' && change.from !== undefined) lineageOf.delete(change.from);
      if (change.status === 'D') lineageOf.delete(change.file);
      else lineageOf.set(change.file, id);
      lineage.set(change, id);
      if (inScope(change.file) && page(change.file)) entering.add(id);
    }
  }
  for (const c of commits) {
    for (const change of c.changes) {
      if (!entering.has(lineage.get(change)!)) continue;
      const revision = { author: authorOf(c), date: c.date, summary: (c.message || `Commit ${c.sha.slice(0, 10)}`).slice(0, 500) };
      const inside = inScope(change.file) && page(change.file);
      let slug: string;
      if (change.status === 'R') {
        slug = (change.from !== undefined ? live.get(change.from) : undefined) ?? slugFor(change.file);
        if (change.from !== undefined) live.delete(change.from);
        if (!inside && entered.has(slug)) {
          // Moved out of the folder being imported: here, as good as deleted.
          const p = pages.get(slug);
          const lastV = p?.versions.at(-1);
          if (p && lastV) p.versions.push({ ...lastV, file: `${change.from}@${c.sha.slice(0, 10)}`, revision: { ...revision, archived: true } });
          continue;
        }
        live.set(change.file, slug);
      } else if (change.status === 'D') {
        slug = live.get(change.file) ?? slugFor(change.file);
        live.delete(change.file);
      } else {
        slug = live.get(change.file) ?? slugFor(change.file);
        live.set(change.file, slug);
      }
      // Once a page has left the folder, what happens to it elsewhere is not its history here.
      if (!inside && entered.has(slug)) continue;
      if (inside) entered.add(slug);
      const p = pages.get(slug) ?? { slug, versions: [], mode: 'dated' as const, notes: [] };
      const rel = `${change.file}@${c.sha.slice(0, 10)}`;
      try {
        let version: SourceVersion;
        if (change.status === 'D') {
          const last = p.versions.at(-1);
          if (!last) continue;
          version = { ...last, file: rel, revision: { ...revision, archived: true } };
        } else {
          version = readSourceText(change.file, git(root, ['show', `${c.sha}:${change.file}`]), maxBytes, rel, options);
          version.revision = revision; // a file added again after a deletion unarchives its page
        }
        p.versions.push(version);
        pages.set(slug, p);
      } catch (e) {
        if (!(e instanceof Error && 'field' in e)) throw e;
        // One version that cannot be read is left out of the history, and said so; the page goes on.
        failures.push({ problem: { file: rel, field: (e as Error & { field: string }).field, reason: e.message }, slug, before: p.versions.length });
      }
    }
  }
  // A version that failed and was followed by one that reads is a note on its page; the newest failing is a failure.
  for (const f of failures) {
    const p = pages.get(f.slug);
    if (p && p.versions.length > f.before && p.versions.slice(f.before).some((v) => !v.revision?.archived)) {
      p.notes = [...(p.notes ?? []), `${f.problem.file}: this version is left out of the history (${f.problem.field}: ${f.problem.reason})`];
    } else problems.push(f.problem);
  }
  return { pages: [...pages.values()].filter((p) => p.versions.length > 0 && entered.has(p.slug)), problems: problems.filter((p) => inScope(p.file)), skipped: [] };
}
