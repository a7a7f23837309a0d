import type { FastifyReply, FastifyRequest } from 'fastify';

const NOT_HANDED_BACK = new Set(['_csrf', 'password', 'base_version']);

/** Shows the text of a form that could not be saved, so that nothing a person typed is lost. */
export async function handBackUnsaved(request: FastifyRequest, reply: FastifyReply, why: 'signed-out' | 'expired' | 'disk-full' | 'busy'): Promise<void> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const fields = Object.entries(body)
    .filter(([k, v]) => !NOT_HANDED_BACK.has(k) && typeof v === 'string' && v.trim() !== '')
    .map(([name, value]) => ({ name, value }));
  reply.status({ 'signed-out': 401, expired: 403, 'disk-full': 507, busy: 503 }[why]);
  if (why === 'busy') reply.header('Retry-After', '2');
  await reply.view('unsaved', {
    title: 'Not saved yet',
    signedOut: why === 'signed-out',
    diskFull: why === 'disk-full',
    busy: why === 'busy',
    fields,
    loginUrl: `/login?next=${encodeURIComponent(request.url)}`,
  });
}


/** Whether a refused request was a posted form whose text should be handed back. */
export function isHandBackCandidate(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  return request.method === 'POST' && !request.url.startsWith('/api/') && url !== '/login' && url !== '/logout' && typeof request.body === 'object' && request.body !== null;
}
