import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandContext, PASSWORD, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';
import { openDatabaseFile, type DB } from '../../server/store/db.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { savePage } from '../../server/pages/commands.js';
import { NotificationWorker } from '../../server/notify/worker.js';
import type { MailTransport } from '../../server/notify/mail.js';
import { createPage } from '../../server/pages/commands.js';
import { Receiver } from '../integrations/receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A wiki whose page is owned by Maria (so a save queues her a mail), a notification worker with a recording
 * transport and log, and a second connection to the same file: a bulk import in another process.
 */
async function setup(onSend: () => void = () => undefined) {
  const t: TestApp = await testApp();
  cleanups.push(t.close);
  t.store.parties.update({ handle: 'mreyes', name: 'Maria Reyes', title: null, email: 'maria@hospital.test' });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: PASSWORD, role: 'editor', person: 'mreyes' });
  seedPage(t.store);
  const sent: string[] = [];
  const transport: MailTransport = { send: async (mail) => { sent.push(mail.to); onSend(); }, close: () => undefined };
  const errors: string[] = [];
  const log = { warn: (_: object, msg: string) => errors.push(msg), error: (_: object, msg: string) => errors.push(msg) };
  const worker = new NotificationWorker({ store: t.store, clock: () => new Date(), reviewDefaults: {}, digestHour: 7, mailFrom: 'wiki@hospital.test', baseUrl: 'https://wiki.hospital.test', transport, log });
  cleanups.push(() => worker.stop());
  // Switched on now, so the save below is new to it.
  worker.poll();
  const importer: DB = openDatabaseFile(t.store.file);
  cleanups.push(() => { if (importer.inTransaction) importer.exec('ROLLBACK'); importer.close(); });
  const save = () => savePage(commandContext(t.store, 'editor', { actor: { username: 'editor', role: 'editor' } }), { slug: 'sepsis-screening-bpa', frontMatter: { ...sampleFrontMatter }, body: 'A new step.', summary: 'New step', baseVersion: 1 });
  const cursor = () => t.store.outbox.cursor('notifications');
  return { t, worker, importer, sent, errors, save, cursor };
}

describe('background writers while another process holds the write lock', () => {
  it('the notification consumer gives way at once, a request is answered meanwhile, and the work is done once the lock is released', async () => {
    const { t, worker, importer, sent, errors, save, cursor } = await setup();
    save();
    const event = t.store.outbox.lastEventId();
    importer.exec('BEGIN IMMEDIATE');

    await worker.tick();
    // It neither waited the lock out and failed, nor did its work under someone else's lock.
    expect(errors).toEqual([]);
    expect(cursor()).toBeLessThan(event);
    const health = await t.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(importer.inTransaction).toBe(true);

    importer.exec('COMMIT');
    // Its own bounded backoff runs the round again: nothing has to nudge it.
    await vi.waitFor(() => expect(cursor()).toBe(event), { timeout: 20_000, interval: 20 });
    await vi.waitFor(() => expect(sent).toEqual(['maria@hospital.test']), { timeout: 20_000, interval: 20 });
    expect(t.store.notifications.mailCounts()).toMatchObject({ queued: 0, sent: 1 });
    expect(errors).toEqual([]);
  });

  it('keeps the record of a mail it sent while the lock was taken, sends it only once, and writes the record after', async () => {
    let importer: DB | undefined;
    // The import starts while the mail is on its way: recording it as sent finds the store locked.
    const { t, worker, sent, errors, save, ...rest } = await setup(() => importer!.exec('BEGIN IMMEDIATE'));
    importer = rest.importer;
    save();
    worker.poll();
    expect(t.store.notifications.mailCounts()).toMatchObject({ queued: 1 });

    const first = await worker.send();
    expect(first).toMatchObject({ sent: 1 });
    expect(errors).toEqual([]);
    expect(importer.inTransaction).toBe(true);
    // Still queued in the store, but not sent a second time while its record waits.
    expect(t.store.notifications.mailCounts()).toMatchObject({ queued: 1, sent: 0 });
    expect(await worker.send()).toMatchObject({ sent: 0 });
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);

    importer.exec('COMMIT');
    await vi.waitFor(() => expect(t.store.notifications.mailCounts()).toMatchObject({ queued: 0, sent: 1 }), { timeout: 20_000, interval: 20 });
    await worker.send();
    expect(sent).toEqual(['maria@hospital.test']);
    expect(errors).toEqual([]);
  });

  it('the webhook consumer gives way too, and delivers once the lock is released', async () => {
    const t = await testApp({ publicUrl: 'https://wiki.example.org' });
    cleanups.push(t.close);
    const receiver = await Receiver.start();
    cleanups.push(() => receiver.close());
    const hooked = await t.app.inject({ method: 'POST', url: '/api/webhooks', headers: { authorization: `Bearer ${tokenFor(t.store, 'admin')}` }, payload: { url: receiver.url, events: ['page.created'] } });
    expect(hooked.statusCode).toBe(201);
    createPage(commandContext(t.store), { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    const importer = openDatabaseFile(t.store.file);
    cleanups.push(() => { if (importer.inTransaction) importer.exec('ROLLBACK'); importer.close(); });
    importer.exec('BEGIN IMMEDIATE');

    expect(await t.app.integrations.tick()).toEqual({ derived: 0, sent: 0 });
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect(importer.inTransaction).toBe(true);
    expect(receiver.received).toHaveLength(0);

    importer.exec('COMMIT');
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 20_000, interval: 20 });
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ event: 'page.created' });
  });
});
