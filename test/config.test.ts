import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigError, loadConfig } from '../server/config.js';

describe('loadConfig', () => {
  it('has defaults that run on a laptop', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.logLevel).toBe('info');
    expect(c.ticketUrl).toBeUndefined();
    expect(c.systems).toEqual(['Epic', 'Workday', 'Interfaces', 'Infrastructure']);
  });

  it('reads every documented variable', () => {
    const c = loadConfig({ PORT: '8080', HOST: '0.0.0.0', WHYWIKI_DATA: '/tmp/x', LOG_LEVEL: 'warn', WHYWIKI_TICKET_URL: 'https://sn.example/{id}', WHYWIKI_ADMIN_PASSWORD: 'twelve-chars-ok', WHYWIKI_SYSTEMS: 'Epic, Cerner' });
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: '/tmp/x', logLevel: 'warn', ticketUrl: 'https://sn.example/{id}', adminPassword: 'twelve-chars-ok', systems: ['Epic', 'Cerner'] });
  });

  it('reports every bad value at once, naming the variable', () => {
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', WHYWIKI_TICKET_URL: 'https://sn.example/', WHYWIKI_ADMIN_PASSWORD: 'short' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT must be a whole number/);
      expect(problems).toMatch(/LOG_LEVEL must be one of/);
      expect(problems).toMatch(/WHYWIKI_TICKET_URL must contain \{id\}/);
      expect(problems).toMatch(/WHYWIKI_ADMIN_PASSWORD must be at least 12/);
    }
  });

  it('refuses out-of-range ports and non-http ticket URLs', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ WHYWIKI_TICKET_URL: 'javascript:alert({id})' })).toThrow(/http\(s\) URL/);
  });
});
