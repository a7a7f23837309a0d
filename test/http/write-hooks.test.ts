import { describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { onWriteRoutes, readsPass, withReadsPassing } from '../../server/plugins/write-hooks.js';

// Hooks that matter only after a write are kept off page views: a GET runs none of them (not even to
// return at once), a write runs them as before.

function routes(app: FastifyInstance): void {
  app.get('/p/:slug', async () => 'page');
  app.post('/p/:slug', async () => 'saved');
  app.route({ method: ['GET', 'PUT'], url: '/both', handler: async () => 'both' });
}

describe('write-only hooks', () => {
  it('onWriteRoutes puts the hook on write routes only', async () => {
    const app = Fastify();
    const seen: string[] = [];
    onWriteRoutes(app, 'onResponse', async (request) => {
      seen.push(`${request.method} ${request.url}`);
    });
    routes(app);
    await app.inject({ method: 'GET', url: '/p/a' });
    await app.inject({ method: 'HEAD', url: '/p/a' });
    expect(seen).toEqual([]);
    await app.inject({ method: 'POST', url: '/p/a' });
    await app.inject({ method: 'PUT', url: '/both' });
    expect(seen).toEqual(['POST /p/a', 'PUT /both']);
    await app.close();
  });

  it('readsPass lets GET and HEAD past without running the hook; a write is answered by it as before', async () => {
    const app = Fastify();
    let ran = 0;
    app.addHook(
      'onRequest',
      readsPass(async (_request, reply) => {
        ran += 1;
        return reply.code(503).send({ message: 'read-only' });
      }),
    );
    routes(app);
    expect((await app.inject({ method: 'GET', url: '/p/a' })).body).toBe('page');
    expect((await app.inject({ method: 'HEAD', url: '/p/a' })).statusCode).toBe(200);
    expect(ran).toBe(0);
    const write = await app.inject({ method: 'POST', url: '/p/a' });
    expect(write.statusCode).toBe(503);
    expect(ran).toBe(1);
    await app.close();
  });

  it('readsPass keeps a callback hook and its error', async () => {
    const app = Fastify();
    app.addHook(
      'preValidation',
      readsPass((_request, _reply, done) => done(Object.assign(new Error('refused'), { statusCode: 400 }))),
    );
    routes(app);
    expect((await app.inject({ method: 'GET', url: '/p/a' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/p/a' })).statusCode).toBe(400);
    await app.close();
  });

  it('withReadsPassing wraps only the named hooks a plugin adds', async () => {
    const app = Fastify();
    const ran: string[] = [];
    const plugin = withReadsPassing(app, new Set(['onRequest']));
    plugin.addHook('onRequest', async (request) => {
      ran.push(`onRequest ${request.method}`);
    });
    plugin.addHook('preHandler', async (request) => {
      ran.push(`preHandler ${request.method}`);
    });
    routes(app);
    await app.inject({ method: 'GET', url: '/p/a' });
    await app.inject({ method: 'POST', url: '/p/a' });
    expect(ran).toEqual(['preHandler GET', 'onRequest POST', 'preHandler POST']);
    await app.close();
  });
});
