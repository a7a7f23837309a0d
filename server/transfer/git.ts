import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/index.js';
import { slugFromFileName } from './adr.js';
import { ImportError, readSourceText, type ImportProblem, type SourcePage, type SourceVersion } from './import.js';

interface Commit {
  sha: string;
  author: string;
  email: string;
  date: string;
  message: string;
  changes: { status: string; file: string }[];
}

function git(repo: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', repo, ...args], { maxBuffer: 1024 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Reads the history of the markdown files in a git repository (optionally under one folder): every
 * commit that touched a file becomes a version of its page, with the commit's author, date and message.
 * A deleted file's page is archived by the commit that deleted it.
 */
export function readGitHistory(store: Store, repo: string, subPath: string | undefined, maxBytes: number): { pages: SourcePage[]; problems: ImportProblem[] } {
  const root = path.resolve(repo);
  if (!fs.existsSync(root)) throw new ImportError(`The repository ${root} does not exist.`);
  try {
    git(root, ['rev-parse', '--git-dir']);
  } catch {
    throw new ImportError(`${root} is not a git repository (git rev-parse failed); import --git takes the folder of a clone.`);
  }
  const scope = subPath ? subPath.replace(/^\.?\//, '') : '.';
  const raw = git(root, ['log', '--reverse', '--no-merges', '--no-renames', '--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f', '--name-status', '--', scope]).toString('utf8');
  const commits: Commit[] = raw
    .split('\x1e')
    .filter((r) => r.trim())
    .map((r) => {
      const [sha, author, email, date, message, rest] = r.split('\x1f');
      const changes = (rest ?? '')
        .split('\n')
        .map((l) => l.split('\t'))
        .filter((p) => p.length >= 2 && /^[AMD]/.test(p[0]!))
        .map(([status, file]) => ({ status: status!.charAt(0), file: file! }))
        .filter((c) => /\.(md|markdown)$/i.test(c.file) && !/(^|\/)(readme|index|template)\.md$/i.test(c.file));
      return { sha: sha!, author: author!, email: email!, date: new Date(date!).toISOString(), message: message!.trim(), changes };
    });
  if (commits.length === 0) throw new ImportError(`No commit in ${root} touches markdown files${subPath ? ` under ${subPath}` : ''}.`);

  const byName = new Map(store.parties.all().map((p) => [p.name.toLowerCase(), p.handle]));
  const authorOf = (c: Commit) => {
    const local = c.email.split('@')[0]!.toLowerCase();
    if (store.parties.get(local)) return local;
    return byName.get(c.author.toLowerCase()) ?? c.author;
  };
  const pages = new Map<string, SourcePage>();
  const problems: ImportProblem[] = [];
  const broken = new Set<string>();
  for (const c of commits) {
    for (const change of c.changes) {
      const slug = slugFromFileName(path.basename(change.file));
      if (broken.has(slug)) continue;
      const page = pages.get(slug) ?? { slug, versions: [], mode: 'dated' as const };
      const revision = { author: authorOf(c), date: c.date, summary: (c.message || `Commit ${c.sha.slice(0, 10)}`).slice(0, 500) };
      const rel = `${change.file}@${c.sha.slice(0, 10)}`;
      try {
        let version: SourceVersion;
        if (change.status === 'D') {
          const last = page.versions.at(-1);
          if (!last) continue;
          version = { ...last, file: rel, revision: { ...revision, archived: true } };
        } else {
          version = readSourceText(change.file, git(root, ['show', `${c.sha}:${change.file}`]), maxBytes, rel);
          version.revision = revision; // a file added again after a deletion unarchives its page
        }
        page.versions.push(version);
        pages.set(slug, page);
      } catch (e) {
        if (!(e instanceof Error && 'field' in e)) throw e;
        problems.push({ file: rel, field: (e as Error & { field: string }).field, reason: e.message });
        // A version that cannot be read would leave a gap in the history: the page is left out whole.
        broken.add(slug);
        pages.delete(slug);
      }
    }
  }
  return { pages: [...pages.values()], problems };
}
