import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD, seedPage, tempDir, testStore, tokenFor } from '../helpers.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { openStore } from '../../server/setup.js';
import { startServer, type RunningServer } from '../server-process.js';
import { startMailServer, type ReceivedMail } from './smtp.js';

const running: RunningServer[] = [];
afterAll(async () => {
  for (const s of running) if (s.process.exitCode === null) s.process.kill('SIGKILL');
});

describe('a notification mail across a crash', () => {
  it('arrives exactly once when the server is SIGKILLed between the save and the delivery', async () => {
    // A store with Maria (owner of the page, with an address) and an editor who saves it.
    const dir = tempDir();
    const { store } = testStore(dir);
    store.parties.update({ handle: 'mreyes', name: 'Maria Reyes', title: null, email: 'maria@hospital.test' });
    await createUser({ store, actor: { username: 'test' } }, { username: 'maria', password: PASSWORD, role: 'editor', person: 'mreyes' });
    await createUser({ store, actor: { username: 'test' } }, { username: 'editor', password: PASSWORD, role: 'editor' });
    seedPage(store, 'oru-feed', 'First.');
    const token = tokenFor(store, 'editor');
    store.close();

    // The mail server holds the first message without answering, so the server dies mid-delivery.
    let held!: () => void;
    const inFlight = new Promise<void>((resolve) => (held = resolve));
    let accepted!: (m: ReceivedMail) => void;
    const arrived = new Promise<ReceivedMail>((resolve) => (accepted = resolve));
    let attempts = 0;
    const mail = await startMailServer({
      onMessage: (m) => {
        attempts++;
        if (attempts === 1) {
          held();
          return new Promise<void>(() => undefined);
        }
        accepted(m);
      },
    });
    const env = { WHYWIKI_DATA: dir, WHYWIKI_SMTP_URL: mail.url, WHYWIKI_PUBLIC_URL: 'https://wiki.hospital.test', WHYWIKI_ADMIN_PASSWORD: 'kill-test-password-1' };

    const first = await startServer(env);
    running.push(first);
    const saved = await fetch(`${first.url}/api/pages/oru-feed`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...(await (await fetch(`${first.url}/api/pages/oru-feed`, { headers: { authorization: `Bearer ${token}` } })).json()), body: 'Second.', summary: 'Filters documented' }),
    });
    expect(saved.status).toBe(200);
    await inFlight;
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));

    // Restarted, the worker finds the mail still queued and sends it; the server accepts it this time.
    const second = await startServer(env);
    running.push(second);
    const delivered = await arrived;
    await second.stop();
    await mail.close();

    expect(delivered.to).toEqual(['maria@hospital.test']);
    expect(delivered.subject).toBe('Changed: Sepsis screening BPA');
    expect(mail.received).toHaveLength(1);
    const after = openStore(dir);
    const rows = after.notifications.dueMails('9999-12-31T00:00:00Z', 10);
    const counts = after.notifications.mailCounts();
    const messageIds = after.unsafeDatabaseForTests().prepare('SELECT key FROM notification_mails').pluck().all() as string[];
    after.close();
    // One mail, marked sent, so no later start sends it again; its key is the Message-ID it carried.
    expect(rows).toEqual([]);
    expect(counts).toMatchObject({ sent: 1, queued: 0 });
    expect(messageIds.map((k) => `<${k}@wiki.hospital.test>`)).toEqual([delivered.messageId]);
  }, 120_000);
});
