// What the benchmarks that start a real server share: a free port on 127.0.0.1 and a sign-in through the
// form, as a browser makes it.
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Signs in through the login form (CSRF token and all) and returns the `whywiki_session=…` cookie. */
export async function sessionCookie(url: string, username: string, password: string): Promise<string> {
  const form = await fetch(`${url}/login`);
  const jar = form.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar, origin: url },
    body: new URLSearchParams({ _csrf: csrf, username, password, next: '/' }).toString(),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('whywiki_session='));
  if (!session) throw new Error(`sign-in failed: ${res.status}`);
  return session;
}
