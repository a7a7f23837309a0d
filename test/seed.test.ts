import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../server/setup.js';
import { ContentError, needsSeeding, seedFromContent } from '../server/seed.js';
import { CONTENT_DIR } from '../server/paths.js';
import { verifyStore } from '../server/audit/verify.js';
import { listVersions } from '../server/pages/queries.js';
import { tempDir } from './temp.js';

const rules = { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 1024 * 1024 };

describe('demo content', () => {
  it('seeds an empty store with at least 40 valid pages across every system, some with history', () => {
    const store = openStore(tempDir());
    expect(needsSeeding(store)).toBe(true);
    const result = seedFromContent(store, CONTENT_DIR, rules);
    expect(result.pages).toBeGreaterThanOrEqual(40);
    expect(result.versions).toBeGreaterThan(result.pages + 8);
    const systems = store.unsafeDatabaseForTests().prepare('SELECT DISTINCT system FROM pages ORDER BY system').pluck().all();
    expect(systems).toEqual(['Epic', 'Infrastructure', 'Interfaces', 'Workday']);
    const withHistory = (store.unsafeDatabaseForTests().prepare('SELECT slug FROM pages WHERE current_version > 1').pluck().all() as string[]);
    expect(withHistory.length).toBeGreaterThanOrEqual(8);
    const versions = listVersions(store, withHistory[0]!);
    expect(versions.at(-1)!.createdAt < versions[0]!.createdAt).toBe(true);
    expect(verifyStore(store).break).toBeNull();
    expect(needsSeeding(store)).toBe(false);
    store.close();
  });

  it('ships page templates an analyst recognizes, each recorded in the audit log', () => {
    const store = openStore(tempDir());
    seedFromContent(store, CONTENT_DIR, rules);
    const names = store.templates.all().map((t) => t.name).join(' | ');
    for (const kind of [/BPA/, /Order set|SmartSet/, /HL7/, /Workday business process/, /Report or extract/, /Infrastructure change/]) expect(names).toMatch(kind);
    expect(store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM audit_events WHERE action = 'template.created'").pluck().get()).toBe(store.templates.all().length);
    store.close();
  });

  it('holds nothing that looks like patient data', () => {
    const files = fs.readdirSync(CONTENT_DIR, { recursive: true }).map(String).filter((f) => f.endsWith('.md'));
    for (const f of files) {
      const text = fs.readFileSync(path.join(CONTENT_DIR, f), 'utf8');
      expect(text, f).not.toMatch(/\b\d{3}-\d{2}-\d{4}\b/);
      expect(text, f).not.toMatch(/\(?\b\d{3}\)?[ .-]\d{3}-\d{4}\b/);
      expect(text, f).not.toMatch(/\bMRN\s*[:#]?\s*\d{5,}/i);
    }
  });

  it('refuses a page whose front matter is code, naming its language, without running it', () => {
    const content = tempDir();
    const marker = path.join(tempDir(), 'ran');
    fs.mkdirSync(path.join(content, 'pages'));
    fs.writeFileSync(path.join(content, 'people.yaml'), 'people:\n  - handle: mreyes\n    name: Maria Reyes\n');
    fs.writeFileSync(path.join(content, 'pages', 'good.md'), '---\ntitle: A good page\nwhy: Needed.\nowners: [mreyes]\nsystem: Epic\n---\nBody\n');
    fs.writeFileSync(path.join(content, 'pages', 'evil.md'), `---js\n{ title: require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran') || 'Code ran' }\n---\nBody\n`);
    const store = openStore(tempDir());
    expect(() => seedFromContent(store, content, rules)).toThrow(ContentError);
    expect(() => seedFromContent(store, content, rules)).toThrow(/evil\.md: the front matter is marked "js"; only YAML front matter is read/);
    expect(fs.existsSync(marker)).toBe(false);
    // The seed is one transaction: nothing of it stays.
    expect(needsSeeding(store)).toBe(true);
    store.close();
  });

  it('is never seeded twice', () => {
    const dir = tempDir();
    const store = openStore(dir);
    seedFromContent(store, CONTENT_DIR, rules);
    store.close();
    const again = openStore(dir);
    expect(needsSeeding(again)).toBe(false);
    again.close();
  });
});
