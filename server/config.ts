import path from 'node:path';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_SYSTEMS = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Only read when the store is created: the first admin's password. */
  adminPassword: string | undefined;
  logLevel: LogLevel;
  /** URL template for ticket links; `{id}` is replaced by the ticket ID. */
  ticketUrl: string | undefined;
  systems: string[];
  /** Largest page body accepted, in bytes of markdown. */
  maxBodyBytes: number;
  /** Whether session cookies require HTTPS. */
  secureCookies: boolean;
  /** Ed25519 key that signs audit anchors; kept outside the database file. */
  anchorKeyFile: string;
  /** Review interval (90d, 6m, 1y) for pages that set no review_every, per system; absent means never due. */
  reviewDefaults: Record<string, string>;
}

export const DEFAULT_REVIEW_EVERY = '1y';
const INTERVAL_RE = /^[1-9][0-9]{0,3}[dwmy]$/;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads the whole configuration from the environment, collecting every problem before failing. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const port = parseInteger(env.PORT, 3000);
  if (port === null || port < 1 || port > 65535) problems.push(`PORT must be a whole number from 1 to 65535 (got "${env.PORT}")`);

  const host = (env.HOST ?? '127.0.0.1').trim();
  if (host === '') problems.push('HOST must not be empty (for example 127.0.0.1 or 0.0.0.0)');

  const dataDir = path.resolve(env.WHYWIKI_DATA?.trim() || './data');

  const adminPassword = env.WHYWIKI_ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < 12) {
    problems.push('WHYWIKI_ADMIN_PASSWORD must be at least 12 characters long');
  }

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);

  const ticketUrl = env.WHYWIKI_TICKET_URL?.trim() || undefined;
  if (ticketUrl !== undefined) {
    if (!ticketUrl.includes('{id}')) problems.push(`WHYWIKI_TICKET_URL must contain {id} where the ticket ID goes (got "${ticketUrl}")`);
    else if (!isHttpUrl(ticketUrl.replace('{id}', 'CHG0000001'))) {
      problems.push(`WHYWIKI_TICKET_URL must be an http(s) URL such as https://servicenow.example/{id} (got "${ticketUrl}")`);
    }
  }

  const systems = env.WHYWIKI_SYSTEMS
    ? env.WHYWIKI_SYSTEMS.split(',').map((s) => s.trim()).filter(Boolean)
    : DEFAULT_SYSTEMS;
  if (systems.length === 0) problems.push('WHYWIKI_SYSTEMS must list at least one system, separated by commas');

  const maxBodyBytes = parseInteger(env.WHYWIKI_MAX_BODY_BYTES, 1024 * 1024);
  if (maxBodyBytes === null || maxBodyBytes < 1024) problems.push(`WHYWIKI_MAX_BODY_BYTES must be a whole number of at least 1024 (got "${env.WHYWIKI_MAX_BODY_BYTES}")`);

  const secure = (env.WHYWIKI_SECURE_COOKIES ?? 'false').trim().toLowerCase();
  if (!['true', 'false', '1', '0'].includes(secure)) problems.push(`WHYWIKI_SECURE_COOKIES must be true or false (got "${env.WHYWIKI_SECURE_COOKIES}")`);

  const reviewDefaults: Record<string, string> = Object.fromEntries(systems.map((s) => [s, DEFAULT_REVIEW_EVERY]));
  for (const item of (env.WHYWIKI_REVIEW_DEFAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [system, interval] = item.split('=').map((s) => s.trim());
    if (!system || !interval || !(INTERVAL_RE.test(interval) || interval === 'never')) {
      problems.push(`WHYWIKI_REVIEW_DEFAULTS lists system=interval pairs such as "Epic=1y,Workday=6m" (intervals: 90d, 12w, 6m, 1y or never); "${item}" is not one`);
    } else if (system !== '*' && !systems.includes(system)) {
      problems.push(`WHYWIKI_REVIEW_DEFAULTS names "${system}", which is not one of the systems (${systems.join(', ')})`);
    } else if (system === '*') {
      for (const s of systems) reviewDefaults[s] = interval;
    } else reviewDefaults[system] = interval;
  }
  for (const [s, v] of Object.entries(reviewDefaults)) if (v === 'never') delete reviewDefaults[s];

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: port!,
    host,
    dataDir,
    adminPassword,
    logLevel,
    ticketUrl,
    systems,
    maxBodyBytes: maxBodyBytes!,
    secureCookies: secure === 'true' || secure === '1',
    anchorKeyFile: path.resolve(env.WHYWIKI_ANCHOR_KEY?.trim() || path.join(dataDir, 'anchor-ed25519.pem')),
    reviewDefaults,
  };
}

function parseInteger(raw: string | undefined, fallback: number): number | null {
  if (raw === undefined || raw.trim() === '') return fallback;
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
