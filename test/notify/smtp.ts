import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  to: string[];
  messageId: string;
  subject: string;
  raw: string;
}

export interface TestMailServer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** The password the server saw at AUTH, to prove the URL's credentials are used. */
  auths: { username: string; password: string }[];
  close: () => Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (port 0) that keeps what it receives. Plain SMTP with AUTH (no STARTTLS
 * offered: the test has no certificate). `onMessage` may delay or refuse a message, to play a slow or
 * failing server.
 */
export async function startMailServer(options: { onMessage?: (mail: ReceivedMail) => Promise<void> | void } = {}): Promise<TestMailServer> {
  const received: ReceivedMail[] = [];
  const auths: { username: string; password: string }[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      auths.push({ username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw)?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? '';
        const mail: ReceivedMail = { to: session.envelope.rcptTo.map((r) => r.address), messageId: header('Message-ID'), subject: header('Subject'), raw };
        Promise.resolve(options.onMessage?.(mail)).then(
          () => { received.push(mail); callback(); },
          (e: Error) => callback(e),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://wiki:mail-secret-9@127.0.0.1:${port}`,
    received,
    auths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
