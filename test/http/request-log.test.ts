import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import type { Store } from '../../server/store/index.js';
import { PASSWORD, seedPage, testConfig, testStore, tokenFor } from '../helpers.js';

let app: FastifyInstance | undefined;
let store: Store | undefined;
let dir = '';
afterEach(async () => {
  await app?.close();
  store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The app logging at `info` (the default level) into an array of parsed lines. */
async function loggingApp(routes?: (app: FastifyInstance) => void): Promise<{ lines: Array<Record<string, unknown>>; token: string }> {
  ({ store, dir } = testStore());
  await createUser({ store, actor: { username: 'test' } }, { username: 'reader', password: PASSWORD, role: 'reader' });
  seedPage(store);
  const token = tokenFor(store, 'reader');
  const lines: Array<Record<string, unknown>> = [];
  app = await buildApp({ config: testConfig(dir), store, logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } } });
  routes?.(app);
  await app.ready();
  return { lines, token };
}

describe('the request log', () => {
  it('writes one line per page view, with the request, the status and the time taken, and no credentials', async () => {
    const { lines, token } = await loggingApp();
    const res = await app!.inject({ method: 'GET', url: '/p/sepsis-screening-bpa', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    // Every line about a request carries its id; this app answered only this one.
    const mine = lines.filter((l) => l.reqId !== undefined);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: 'request completed', req: { method: 'GET', url: '/p/sepsis-screening-bpa' }, res: { statusCode: 200 } });
    expect(typeof mine[0]!.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('logs a failed request with its error, its one line naming the request', async () => {
    const { lines } = await loggingApp((a) =>
      a.get('/boom-for-log-test', { config: { access: 'public' } }, async () => {
        throw new Error('broken on purpose');
      }),
    );
    const res = await app!.inject({ method: 'GET', url: '/boom-for-log-test' });
    expect(res.statusCode).toBe(500);
    const mine = lines.filter((l) => l.reqId !== undefined);
    expect(mine.some((l) => (l.req as { url?: string } | undefined)?.url === '/boom-for-log-test' && (l.res as { statusCode?: number }).statusCode === 500)).toBe(true);
    expect(mine.some((l) => Number(l.level) >= 50 && JSON.stringify(l).includes('broken on purpose'))).toBe(true);
  });
});
