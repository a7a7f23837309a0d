import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCircular, parseDependencyTree, type DependencyTree } from 'dpdm';

/**
 * The shape of the house, checked: no module imports itself round a loop, no two rooms (folders under
 * server/) import each other, and server/core is a leaf. A loop makes load order decide what is
 * `undefined` at start-up, and rooms that lean on each other cannot be read or replaced one at a time.
 */

const root = path.resolve(import.meta.dirname, '../..');
// main.ts and cli.ts reach nearly everything; the glob adds the entry points started as their own
// processes (the search worker and rebuild) so they are checked too.
const ENTRIES = ['server/main.ts', 'server/cli.ts', 'server/**/*.ts'];

const graphs = new Map<boolean, Promise<DependencyTree>>();
/** Parsing the whole server takes seconds, so each graph is parsed once for all the checks. */
function graph(withTypes: boolean): Promise<DependencyTree> {
  // transform: true strips type-only imports first, leaving the imports that run.
  if (!graphs.has(withTypes)) graphs.set(withTypes, parseDependencyTree(ENTRIES, { context: root, tsconfig: path.join(root, 'tsconfig.json'), transform: !withTypes, skipDynamicImports: false }));
  return graphs.get(withTypes)!;
}

/** Edges between our own files, as [from, to] paths relative to the repository. */
function edges(tree: DependencyTree): [string, string][] {
  const out: [string, string][] = [];
  for (const [from, deps] of Object.entries(tree)) {
    if (!from.startsWith('server/') || !deps) continue;
    for (const d of deps) if (d.id?.startsWith('server/')) out.push([from, d.id]);
  }
  return out;
}

/** The room a file lives in: its first folder under server/, or null for the wiring files at the top. */
function room(file: string): string | null {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : null;
}

/**
 * The one known exception, to be removed when the authorization plugin moves to the HTTP edge: it answers
 * refused requests with the edge's error page and hand-back, so auth/plugin.ts imports from routes/.
 */
const ALLOWED_ROOM_EDGES = [{ from: 'server/auth/plugin.ts', toRoom: 'routes' }];

describe('module structure', { timeout: 120_000 }, () => {
  it('has no import cycle between files, not even through type-only imports', async () => {
    for (const withTypes of [false, true]) {
      const tree = await graph(withTypes);
      expect(Object.keys(tree).filter((f) => f.startsWith('server/')).length, 'the graph covers the server').toBeGreaterThan(60);
      const cycles = parseCircular(tree, false).map((c) => [...c, c[0]].join(' -> '));
      expect(cycles, withTypes ? 'cycles counting type-only imports' : 'cycles at run time').toEqual([]);
    }
  });

  it('has no two rooms under server/ importing each other', async () => {
    const byPair = new Map<string, string[]>();
    for (const [from, to] of edges(await graph(true))) {
      const a = room(from);
      const b = room(to);
      if (!a || !b || a === b) continue;
      if (ALLOWED_ROOM_EDGES.some((x) => x.from === from && x.toRoom === b)) continue;
      byPair.set(`${a}->${b}`, [...(byPair.get(`${a}->${b}`) ?? []), `${from} -> ${to}`]);
    }
    const mutual: string[] = [];
    for (const [pair, files] of byPair) {
      const [a, b] = pair.split('->') as [string, string];
      const back = byPair.get(`${b}->${a}`);
      if (a < b && back) mutual.push(`${a} <-> ${b}: ${files.join(', ')} / ${back.join(', ')}`);
    }
    expect(mutual).toEqual([]);
  });

  it('keeps server/core a leaf: it imports no other room (only the type of the store handle)', async () => {
    const outward = (tree: DependencyTree) => edges(tree).filter(([from, to]) => room(from) === 'core' && room(to) !== 'core');
    expect(outward(await graph(false)), 'run-time imports out of core').toEqual([]);
    expect(outward(await graph(true)).map(([, to]) => to)).toEqual(['server/store/index.ts']);
  });
});
