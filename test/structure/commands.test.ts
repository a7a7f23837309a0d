import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The shape of a command, checked: every file under server/<room>/commands/ (but shared.ts) is one state
 * change with a test beside it at test/<room>/commands/<name>.test.ts, and every function it exports
 * takes exactly `(ctx, input)`. One signature makes every call site read alike and lets a command grow a
 * field without every caller changing; the test beside each is where its rules are proven.
 */

const root = path.resolve(import.meta.dirname, '../..');

/** server/<room>/commands/<name>.ts, relative to the repository, shared.ts left out. */
function commandFiles(): string[] {
  const out: string[] = [];
  for (const room of fs.readdirSync(path.join(root, 'server'), { withFileTypes: true })) {
    if (!room.isDirectory()) continue;
    const dir = path.join(root, 'server', room.name, 'commands');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      if (f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'shared.ts') out.push(`server/${room.name}/commands/${f}`);
    }
  }
  return out.sort();
}

/** Where a command file's test belongs. */
function testFileOf(file: string): string {
  const [, room, , name] = file.split('/');
  return `test/${room}/commands/${name!.replace(/\.ts$/, '.test.ts')}`;
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** Each exported function whose parameters are not `(ctx, input)`, as "name(params)". */
function wrongSignatures(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const functions: { name: string; params: ts.NodeArray<ts.ParameterDeclaration> }[] = [];
  for (const statement of source.statements) {
    if (!isExported(statement)) continue;
    if (ts.isFunctionDeclaration(statement)) functions.push({ name: statement.name?.text ?? 'default', params: statement.parameters });
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) functions.push({ name: d.name.getText(source), params: init.parameters });
      }
    }
  }
  const names = (params: ts.NodeArray<ts.ParameterDeclaration>) => params.map((p) => (ts.isIdentifier(p.name) ? p.name.text : p.name.getText(source)));
  return functions
    .filter(({ params }) => names(params).join(',') !== 'ctx,input' || params.some((p) => p.dotDotDotToken || p.questionToken || p.initializer))
    .map(({ name, params }) => `${name}(${names(params).join(', ')})`);
}

describe('commands', () => {
  const files = commandFiles();

  it('finds the command files of each room', () => {
    const rooms = new Set(files.map((f) => f.split('/')[1]));
    expect([...rooms].sort()).toEqual(expect.arrayContaining(['auth', 'comments', 'files', 'integrations', 'knowledge-transfer', 'notify', 'pages', 'people', 'phi', 'purge', 'signoff']));
  });

  it('has a test file beside each command file', () => {
    const missing = files.filter((f) => !fs.existsSync(path.join(root, testFileOf(f)))).map((f) => `${f} has no ${testFileOf(f)}`);
    expect(missing).toEqual([]);
  });

  it('exports only functions that take (ctx, input)', () => {
    const wrong = files.flatMap((f) => wrongSignatures(f, fs.readFileSync(path.join(root, f), 'utf8')).map((s) => `${f}: ${s}`));
    expect(wrong).toEqual([]);
  });

  it('catches the shapes it refuses', () => {
    const source = [
      'export function good(ctx: C, input: I): void {}',
      'export function positional(ctx: C, slug: string, input: I): void {}',
      'export async function storeFirst(store: S, input: I): Promise<void> {}',
      'export const arrow = (ctx: C, input?: I) => 1;',
      'export function defaulted(ctx: C, input: I = {}): void {}',
      'function helper(a: number): number { return a; }',
    ].join('\n');
    expect(wrongSignatures('x.ts', source)).toEqual(['positional(ctx, slug, input)', 'storeFirst(store, input)', 'arrow(ctx, input)', 'defaulted(ctx, input)']);
    expect(testFileOf('server/purge/commands/approve-purge.ts')).toBe('test/purge/commands/approve-purge.test.ts');
  });
});
