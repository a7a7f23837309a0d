import { afterEach, describe, expect, it, vi } from 'vitest';
import { Browser, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';
import { ABUSIVE_SHAPES } from '../render/shapes.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const rowCounts = (app: TestApp) => app.store.unsafeDatabaseForTests().prepare(`SELECT (SELECT count(*) FROM page_versions) || '/' || (SELECT count(*) FROM audit_events)`).pluck().get();

describe('markdown beyond the render bounds', () => {
  it('is refused with 422 naming the problem by preview and by every save, and nothing is stored', async () => {
    t = await testApp();
    seedPage(t.store);
    const auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    const before = rowCounts(t);
    for (const shape of ABUSIVE_SHAPES) {
      const preview = await t.app.inject({ method: 'POST', url: '/api/preview', headers: auth, payload: { body: shape.text } });
      expect(preview.statusCode, shape.name).toBe(422);
      expect(preview.json().message, shape.name).toMatch(shape.names);

      const created = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, title: 'Abusive page', body: shape.text } });
      expect(created.statusCode, shape.name).toBe(422);
      expect(created.json()).toMatchObject({ field: 'body' });
      expect(created.json().message, shape.name).toMatch(shape.names);

      const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa', headers: auth, payload: { ...sampleFrontMatter, body: shape.text, summary: 'x', base_version: 1 } });
      expect(saved.statusCode, shape.name).toBe(422);
      expect(saved.json().message, shape.name).toMatch(shape.names);
    }
    // The why is rendered too, so it is held to the same bounds.
    const why = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, title: 'Abusive why', why: '>'.repeat(3000), body: 'x' } });
    expect(why.statusCode).toBe(422);
    expect(why.json()).toMatchObject({ field: 'why' });
    expect(rowCounts(t)).toBe(before);
  });

  it('is refused on the edit form beside the body, keeping what was typed', async () => {
    t = await testApp();
    seedPage(t.store);
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    await editor.get('/p/sepsis-screening-bpa/edit');
    const body = '>'.repeat(3000);
    const res = await editor.post('/p/sepsis-screening-bpa/edit', { title: 'Sepsis screening BPA', why: 'Why', owners: 'mreyes', system: 'Epic', status: 'live', body, summary: 'Edit', base_version: '1' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('nests block quotes 3,000 levels deep');
    expect(res.body).toContain('&gt;'.repeat(3000));
    expect(t.store.pages.head('sepsis-screening-bpa')!.current_version).toBe(1);
  });

  it('that takes longer than the time limit in the render worker is refused with 422', async () => {
    t = await testApp({ renderTimeoutMs: 100 });
    seedPage(t.store);
    const auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    // Within every bound, but hundreds of paragraphs at the emphasis bound: seconds of parsing on any machine.
    const slow = `${'*a'.repeat(900)}\n\n`.repeat(500);
    const before = rowCounts(t);
    const preview = await t.app.inject({ method: 'POST', url: '/api/preview', headers: auth, payload: { body: slow } });
    expect(preview.statusCode).toBe(422);
    expect(preview.json().message).toMatch(/takes longer than 0.1 s to render/);
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa', headers: auth, payload: { ...sampleFrontMatter, body: slow, summary: 'x', base_version: 1 } });
    expect(saved.statusCode).toBe(422);
    expect(saved.json()).toMatchObject({ field: 'body' });
    expect(rowCounts(t)).toBe(before);
  });
});

describe('rendering off the request thread', () => {
  it('answers /healthz while a slow preview renders in the worker', async () => {
    t = await testApp();
    const app = t.app;
    const auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    await app.inject({ method: 'POST', url: '/api/preview', headers: auth, payload: { body: 'warm' } });
    const rendered = app.renderer.renderedInWorkers;
    const order: string[] = [];
    const slow = `${'*a'.repeat(900)}\n\n`.repeat(10);
    const preview = app.inject({ method: 'POST', url: '/api/preview', headers: auth, payload: { body: slow } }).then((res) => {
      order.push('preview');
      return res;
    });
    // Once the text is in a worker, the request thread is free: /healthz is answered before the preview.
    await vi.waitFor(() => expect(app.renderer.inFlight).toBe(1), { timeout: 15_000, interval: 1 });
    const health = await app.inject({ url: '/healthz' });
    order.push('healthz');
    expect(health.statusCode).toBe(200);
    expect((await preview).statusCode).toBe(200);
    expect(order).toEqual(['healthz', 'preview']);
    expect(app.renderer.renderedInWorkers).toBe(rendered + 1);
  });
});

describe('a stored version that cannot be rendered', () => {
  const storeUnrenderable = (app: TestApp) => {
    // As stored before the bounds existed: a body the renderer refuses (versions are otherwise immutable).
    app.store.unsafeDatabaseForTests().exec('DROP TRIGGER page_versions_immutable_update');
    app.store.unsafeDatabaseForTests().prepare(`UPDATE page_versions SET body = ? WHERE version = 1`).run(`Before <b>bold</b>\n\n${'>'.repeat(3000)}`);
  };

  it('shows the page with a notice and its text escaped, not a 500', async () => {
    t = await testApp();
    seedPage(t.store);
    storeUnrenderable(t);
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const res = await reader.get('/p/sepsis-screening-bpa');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('This version cannot be displayed.');
    expect(res.body).toContain('at most 32 levels can be shown');
    expect(res.body).toContain('Before &lt;b&gt;bold&lt;/b&gt;');
    expect(res.body).not.toMatch(/RangeError|Maximum call stack|at .*\.ts:\d+/);
    const api = await t.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: { authorization: `Bearer ${tokenFor(t.store, 'reader')}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json().html).toContain('This version cannot be displayed.');
  });
});

describe('a committed save', () => {
  it('answers success even when rendering the answer fails', async () => {
    t = await testApp();
    const auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    // The renderer breaks after the draft was checked, between the commit and the answer.
    t.app.renderer.render = () => Promise.reject(new Error('renderer failed'));
    const created = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, title: 'Saved anyway', body: 'Text' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ slug: 'saved-anyway', version: 1 });
    expect(created.json().html).toContain('was saved but cannot be displayed');
    expect(created.body).not.toMatch(/nothing was saved/i);
    expect(t.store.pages.head('saved-anyway')!.current_version).toBe(1);
  });

  it('records the wiki links the worker found in the why and the body, not those in code', async () => {
    t = await testApp();
    seedPage(t.store);
    const auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    const body = 'See [[VTE panel]] and [[sepsis-screening-bpa|itself]].\n\n```\n[[not-a-link]]\n```\n';
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa', headers: auth, payload: { ...sampleFrontMatter, why: 'Because of [[order-sets]].', body, summary: 'Links', base_version: 1 } });
    expect(saved.statusCode).toBe(200);
    const links = t.store.unsafeDatabaseForTests().prepare('SELECT target_slug FROM page_links ORDER BY target_slug').pluck().all();
    expect(links).toEqual(['order-sets', 'sepsis-screening-bpa', 'vte-panel']);
  });
});

