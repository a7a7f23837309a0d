import { describe, expect, it } from 'vitest';
import { validateFrontMatter } from '../../server/pages/schema.js';
import { ValidationError } from '../../server/pages/errors.js';
import { sampleFrontMatter } from '../helpers.js';

const systems = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];

function errorsOf(input: Record<string, unknown>): Record<string, string> {
  try {
    validateFrontMatter(input, systems);
  } catch (e) {
    if (e instanceof ValidationError) return e.byField();
    throw e;
  }
  return {};
}

describe('front matter schema', () => {
  it('accepts a full page and defaults status to live', () => {
    const { status: _s, ...rest } = sampleFrontMatter;
    expect(validateFrontMatter(rest, systems).status).toBe('live');
  });

  it('normalizes form text: comma lists, ticket case and spacing, empty optionals', () => {
    const fm = validateFrontMatter({ ...sampleFrontMatter, owners: ' mreyes, epic-clindoc ,mreyes', tickets: 'chg0012345, RITM 0034567', records: 'BPA 1234567\nERX 98765', tags: 'Sepsis, bpa', module: '  ', sponsor: '' }, systems);
    expect(fm.owners).toEqual(['mreyes', 'epic-clindoc']);
    expect(fm.tickets).toEqual(['CHG0012345', 'RITM0034567']);
    expect(fm.records).toEqual(['BPA 1234567', 'ERX 98765']);
    expect(fm.tags).toEqual(['sepsis', 'bpa']);
    expect(fm).not.toHaveProperty('module');
    expect(fm).not.toHaveProperty('sponsor');
  });

  it('requires the why, an owner, a system and a 3-200 character title', () => {
    const errors = errorsOf({ title: 'ab', why: '   ', owners: [], system: '' });
    expect(Object.keys(errors).sort()).toEqual(['owners', 'system', 'title', 'why']);
    expect(errors.why).toMatch(/why this was built/);
  });

  it('names each bad field', () => {
    expect(errorsOf({ ...sampleFrontMatter, system: 'Cerner' }).system).toMatch(/Epic, Workday/);
    expect(errorsOf({ ...sampleFrontMatter, status: 'done' }).status).toMatch(/proposed, approved/);
    expect(errorsOf({ ...sampleFrontMatter, go_live: '2024-02-30' }).go_live).toMatch(/YYYY-MM-DD/);
    expect(errorsOf({ ...sampleFrontMatter, go_live: 'next week' }).go_live).toMatch(/YYYY-MM-DD/);
    expect(errorsOf({ ...sampleFrontMatter, review_every: 'yearly' }).review_every).toMatch(/90d/);
    expect(errorsOf({ ...sampleFrontMatter, tickets: ['not a ticket'] }).tickets).toMatch(/CHG0012345/);
    expect(errorsOf({ ...sampleFrontMatter, supersedes: ['Not A Slug!'] }).supersedes).toMatch(/slugs/);
  });

  it('refuses unknown fields and prototype keys', () => {
    expect(errorsOf({ ...sampleFrontMatter, colour: 'blue' }).colour).toMatch(/not a page field/);
    const proto = JSON.parse(`{"title":"Valid title","__proto__":{"admin":true}}`) as Record<string, unknown>;
    expect(errorsOf(proto).__proto__).toMatch(/not a page field/);
  });

  it('turns YAML dates into ISO dates', () => {
    expect(validateFrontMatter({ ...sampleFrontMatter, go_live: new Date('2023-05-01T00:00:00Z') }, systems).go_live).toBe('2023-05-01');
  });
});
