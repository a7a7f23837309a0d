import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/**
 * Hooks that matter only when a request may write, kept off reads: every page view otherwise pays a
 * promise and a tick per hook that returns at once.
 */

type Done = (err?: Error) => void;
type Hook = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: Done) => unknown;

/** GET and HEAD write nothing (their bodies are not even parsed). */
export function isRead(request: FastifyRequest): boolean {
  return request.method === 'GET' || request.method === 'HEAD';
}

function writes(route: RouteOptions): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.some((m) => m !== 'GET' && m !== 'HEAD');
}

/**
 * Adds `hook` as a route hook to every route registered after this that accepts a write method, so GET
 * routes run nothing. For hooks whose place among the app's hooks does not matter (route hooks run after
 * the app's) and that have nothing to do for an unknown URL (the not-found answer gets none).
 */
export function onWriteRoutes(
  app: FastifyInstance,
  name: 'onResponse',
  hook: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
): void {
  app.addHook('onRoute', (route) => {
    if (!writes(route)) return;
    const existing = route[name];
    route[name] = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), hook];
  });
}

/**
 * An app hook that a GET or HEAD passes at once, without a promise or a tick; others run `hook` as it
 * was (a promise-returning or a callback hook). Keeps the hook's place among the app's hooks.
 */
export function readsPass(hook: Hook): Hook {
  return function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: Done): unknown {
    if (isRead(request)) {
      done();
      return undefined;
    }
    return hook.call(this, request, reply, done);
  };
}

/**
 * The instance as a plugin that registers its own hooks (for instance @fastify/multipart) should see it:
 * its request hooks of the given names become `readsPass` hooks; everything else is the app's.
 */
export function withReadsPassing(app: FastifyInstance, names: ReadonlySet<string>): FastifyInstance {
  return new Proxy(app, {
    get(target, key) {
      if (key === 'addHook') {
        return (name: string, hook: Hook) =>
          (target.addHook as unknown as (n: string, h: Hook) => FastifyInstance)(name, names.has(name) ? readsPass(hook) : hook);
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
