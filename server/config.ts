import path from 'node:path';
import { parse as parseDuration } from '@lukeed/ms';
import proxyAddr from 'proxy-addr';
import { passwordProblem } from './auth/password-policy.js';
import { INTERVAL_PATTERN } from './core/rules.js';
import { patternProblem } from './phi/guard.js';

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
  /** Largest file accepted on a page, in bytes. */
  maxAttachmentBytes: number;
  /** How long OCR may read one image before the upload is refused as unreadable. */
  ocrTimeoutMs: number;
  /** How long rendering one text may take (in a worker thread) before it is refused as too costly. */
  renderTimeoutMs: number;
  /** Whether session cookies require HTTPS. */
  secureCookies: boolean;
  /** Ed25519 key that signs audit anchors; kept outside the database file. */
  anchorKeyFile: string;
  /** Review interval (90d, 6m, 1y) for pages that set no review_every, per system; absent means never due. */
  reviewDefaults: Record<string, string>;
  /** Signed-in sessions end after this long without a request, and after `sessionMaxMs` whatever happens. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Sign-in attempts allowed per account name, and per client address, within the window. */
  signinAttempts: number;
  signinAttemptsPerAddress: number;
  signinWindowMs: number;
  /** The address people use, such as https://wiki.hospital.org: checked against Origin, and OIDC's redirect base. */
  publicUrl: string | undefined;
  auth: AuthConfig;
  /**
   * Reverse proxies in front of Whywiki (addresses or CIDR ranges). Their X-Forwarded-For and
   * X-Forwarded-Proto are believed: the client address for limits and the audit log, HTTPS for cookies.
   */
  trustedProxies: string[];
  /** Extra medical-record-number patterns for the PHI guard (regular expressions). */
  mrnPatterns: string[];
  /** Where notification mails go out (smtp:// or smtps://, credentials in the URL); none: no mail, inbox only. */
  smtpUrl: string | undefined;
  /** The From of notification mails. */
  mailFrom: string;
  /** The hour of the day (UTC, 0-23) when daily digest mails are made. */
  digestHour: number;
  /** Set on a standby: the primary it follows, an admin's API token there, and how often it pulls. */
  follow: { primary: string; token: string; intervalMs: number } | undefined;
  /** Approved signatures a page of each system needs on its current version before it becomes approved or live. */
  approvals: Record<string, number>;
  /** Where audit events are forwarded as RFC 5424 syslog (a SIEM's collector); absent means nowhere. */
  syslog: SyslogTarget | undefined;
}

export interface SyslogTarget {
  /** tcp: plain TCP; tls: TLS, checked against the system's CAs or `caFile`. */
  protocol: 'tcp' | 'tls';
  host: string;
  port: number;
  /** PEM file of the CA that signed the collector's certificate, when it is not a public one. */
  caFile: string | undefined;
}

export type AuthMode = 'local' | 'oidc' | 'proxy';
export const ROLE_ORDER = ['admin', 'editor', 'auditor', 'reader'] as const;
export type MappedRole = (typeof ROLE_ORDER)[number];

export interface AuthConfig {
  mode: AuthMode;
  /** Group or role names from the identity provider, mapped onto Whywiki roles. */
  roleMap: Record<string, MappedRole>;
  /** The role of a person none of whose groups is mapped; null refuses them. */
  defaultRole: MappedRole | null;
  oidc?: { issuer: string; clientId: string; clientSecret: string; roleClaim: string; usernameClaim: string; scopes: string };
  proxy?: { userHeader: string; rolesHeader: string | undefined; trusted: string[] };
}

export const DEFAULT_REVIEW_EVERY = '1y';
const INTERVAL_RE = new RegExp(INTERVAL_PATTERN);

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
  if (adminPassword !== undefined) {
    if (adminPassword.length < 12) problems.push('WHYWIKI_ADMIN_PASSWORD must be at least 12 characters long');
    else {
      const weak = passwordProblem(adminPassword, ['admin']);
      if (weak) problems.push(`WHYWIKI_ADMIN_PASSWORD is refused: ${weak}`);
    }
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

  const maxAttachmentBytes = parseInteger(env.WHYWIKI_MAX_ATTACHMENT_BYTES, 25 * 1024 * 1024);
  if (maxAttachmentBytes === null || maxAttachmentBytes < 1024) problems.push(`WHYWIKI_MAX_ATTACHMENT_BYTES must be a whole number of at least 1024 (got "${env.WHYWIKI_MAX_ATTACHMENT_BYTES}")`);
  const ocrTimeoutMs = duration(env, 'WHYWIKI_OCR_TIMEOUT', '30s', problems);
  const renderTimeoutMs = parseInteger(env.WHYWIKI_RENDER_TIMEOUT_MS, 3000);
  if (renderTimeoutMs === null || renderTimeoutMs < 100) problems.push(`WHYWIKI_RENDER_TIMEOUT_MS must be a whole number of milliseconds, at least 100 (got "${env.WHYWIKI_RENDER_TIMEOUT_MS}")`);

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

  const sessionIdleMs = duration(env, 'WHYWIKI_SESSION_IDLE', '1h', problems);
  const sessionMaxMs = duration(env, 'WHYWIKI_SESSION_MAX', '12h', problems);
  if (sessionIdleMs && sessionMaxMs && sessionIdleMs > sessionMaxMs) problems.push('WHYWIKI_SESSION_IDLE must not be longer than WHYWIKI_SESSION_MAX');
  const signinAttempts = parseInteger(env.WHYWIKI_SIGNIN_ATTEMPTS, 10);
  if (signinAttempts === null || signinAttempts < 1) problems.push(`WHYWIKI_SIGNIN_ATTEMPTS must be a whole number of at least 1 (got "${env.WHYWIKI_SIGNIN_ATTEMPTS}")`);
  // Everyone in a hospital may reach the wiki through one proxy address, so the per-address limit is generous.
  const signinAttemptsPerAddress = parseInteger(env.WHYWIKI_SIGNIN_ATTEMPTS_PER_ADDRESS, 100);
  if (signinAttemptsPerAddress === null || signinAttemptsPerAddress < 1) problems.push(`WHYWIKI_SIGNIN_ATTEMPTS_PER_ADDRESS must be a whole number of at least 1 (got "${env.WHYWIKI_SIGNIN_ATTEMPTS_PER_ADDRESS}")`);
  const signinWindowMs = duration(env, 'WHYWIKI_SIGNIN_WINDOW', '15m', problems);

  const publicUrl = env.WHYWIKI_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl !== undefined && (!isHttpUrl(publicUrl) || new URL(publicUrl).pathname !== '/')) {
    problems.push(`WHYWIKI_PUBLIC_URL must be the site's http(s) address without a path, such as https://wiki.hospital.org (got "${publicUrl}")`);
  }
  const trustedProxies = (env.WHYWIKI_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (trustedProxies.length > 0) {
    try {
      proxyAddr.compile(trustedProxies);
    } catch (e) {
      problems.push(`WHYWIKI_TRUSTED_PROXIES holds an address that is not an IP address or CIDR range (${(e as Error).message})`);
    }
  }
  const auth = loadAuth(env, publicUrl, trustedProxies, problems);
  const mrnPatterns = (env.WHYWIKI_PHI_MRN_PATTERNS ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
  // Checked as the guard will run them (RE2), so a pattern it cannot use stops the start instead of being skipped.
  for (const p of mrnPatterns) {
    const problem = patternProblem(p);
    if (problem) problems.push(`WHYWIKI_PHI_MRN_PATTERNS holds "${p}": ${problem}`);
  }

  const approvals: Record<string, number> = {};
  for (const item of (env.WHYWIKI_APPROVALS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [system, count] = item.split('=').map((s) => s.trim());
    if (!system || !count || !/^\d{1,2}$/.test(count)) {
      problems.push(`WHYWIKI_APPROVALS lists system=count pairs such as "Epic=1,Workday=2" (a count of 0 to 99); "${item}" is not one`);
    } else if (!systems.includes(system)) {
      problems.push(`WHYWIKI_APPROVALS names "${system}", which is not one of the systems (${systems.join(', ')})`);
    } else approvals[system] = Number(count);
  }
  const syslog = loadSyslog(env, problems);
  const follow = loadFollow(env, problems);
  const smtpUrl = env.WHYWIKI_SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined && !isSmtpUrl(smtpUrl)) {
    // Never repeats the value: it may hold the mail server's password.
    problems.push('WHYWIKI_SMTP_URL must be an smtp:// or smtps:// address such as smtp://user:password@mail.hospital.org:587');
  }
  const mailFrom = env.WHYWIKI_MAIL_FROM?.trim() || 'Whywiki <whywiki@localhost>';
  const digestHour = parseInteger(env.WHYWIKI_DIGEST_HOUR, 7);
  if (digestHour === null || digestHour < 0 || digestHour > 23) problems.push(`WHYWIKI_DIGEST_HOUR must be a whole hour from 0 to 23, in UTC (got "${env.WHYWIKI_DIGEST_HOUR}")`);

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
    maxAttachmentBytes: maxAttachmentBytes!,
    ocrTimeoutMs: ocrTimeoutMs!,
    renderTimeoutMs: renderTimeoutMs!,
    secureCookies: secure === 'true' || secure === '1',
    anchorKeyFile: path.resolve(env.WHYWIKI_ANCHOR_KEY?.trim() || path.join(dataDir, 'anchor-ed25519.pem')),
    reviewDefaults,
    sessionIdleMs: sessionIdleMs!,
    sessionMaxMs: sessionMaxMs!,
    signinAttempts: signinAttempts!,
    signinAttemptsPerAddress: signinAttemptsPerAddress!,
    signinWindowMs: signinWindowMs!,
    publicUrl,
    auth,
    trustedProxies,
    mrnPatterns,
    approvals,
    syslog,
    follow,
    smtpUrl,
    mailFrom,
    digestHour: digestHour!,
  };
}

function loadFollow(env: Env, problems: string[]): Config['follow'] {
  const primary = env.WHYWIKI_FOLLOW?.trim().replace(/\/+$/, '');
  if (!primary) return undefined;
  if (!isHttpUrl(primary)) problems.push(`WHYWIKI_FOLLOW must be the primary's http(s) address, such as https://wiki.hospital.org (got "${primary}")`);
  const token = env.WHYWIKI_FOLLOW_TOKEN?.trim() ?? '';
  if (!token) problems.push('WHYWIKI_FOLLOW_TOKEN must be set to an API token of an admin account on the primary (whywiki token create <admin> on the primary)');
  const intervalMs = parseInteger(env.WHYWIKI_FOLLOW_INTERVAL_MS, 2000);
  if (intervalMs === null || intervalMs < 10) problems.push(`WHYWIKI_FOLLOW_INTERVAL_MS must be a whole number of milliseconds, at least 10 (got "${env.WHYWIKI_FOLLOW_INTERVAL_MS}")`);
  return { primary, token, intervalMs: intervalMs ?? 2000 };
}

/** WHYWIKI_SYSLOG_URL: tcp://host:port or tls://host:port (default ports 601 and 6514, RFC 6587 and 5425). */
function loadSyslog(env: Env, problems: string[]): SyslogTarget | undefined {
  const raw = env.WHYWIKI_SYSLOG_URL?.trim();
  if (!raw) return undefined;
  const example = 'such as tls://siem.example.org:6514 or tcp://10.0.0.9:601';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`WHYWIKI_SYSLOG_URL must be a collector address ${example} (got "${raw}")`);
    return undefined;
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'tcp' && protocol !== 'tls') problems.push(`WHYWIKI_SYSLOG_URL must start with tcp:// or tls://, ${example} (got "${url.protocol}//")`);
  // Credentials in the address would be shown on the audit screen; collectors authenticate by certificate.
  if (url.username || url.password) problems.push('WHYWIKI_SYSLOG_URL must not hold a user name or password: syslog collectors authenticate the sender by TLS certificate or address');
  if (!url.hostname) problems.push(`WHYWIKI_SYSLOG_URL must name the collector's host, ${example}`);
  if ((url.pathname && url.pathname !== '/') || url.search) problems.push(`WHYWIKI_SYSLOG_URL is a host and port only, ${example} (got "${raw}")`);
  const caFile = env.WHYWIKI_SYSLOG_CA?.trim() || undefined;
  if (caFile && protocol !== 'tls') problems.push('WHYWIKI_SYSLOG_CA is only used with a tls:// WHYWIKI_SYSLOG_URL');
  return { protocol: protocol === 'tls' ? 'tls' : 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : protocol === 'tls' ? 6514 : 601, caFile: caFile ? path.resolve(caFile) : undefined };
}

function isSmtpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** A duration such as 30m, 12h or 90s (milliseconds); adds a problem and returns null when unreadable. */
function duration(env: Env, name: string, fallback: string, problems: string[]): number | null {
  const raw = env[name]?.trim() || fallback;
  const ms = /^\d+\s*[a-z]+$/i.test(raw) ? parseDuration(raw) : undefined;
  if (!ms || ms < 1000) {
    problems.push(`${name} must be a duration such as 30s, 15m, 12h or 7d (got "${env[name]}")`);
    return null;
  }
  return ms;
}

function loadAuth(env: Env, publicUrl: string | undefined, trusted: string[], problems: string[]): AuthConfig {
  const mode = (env.WHYWIKI_AUTH?.trim().toLowerCase() || 'local') as AuthMode;
  if (!['local', 'oidc', 'proxy'].includes(mode)) problems.push(`WHYWIKI_AUTH must be local, oidc or proxy (got "${env.WHYWIKI_AUTH}")`);
  const roleMap: Record<string, MappedRole> = {};
  for (const item of (env.WHYWIKI_ROLE_MAP ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = item.lastIndexOf('=');
    const group = item.slice(0, at).trim();
    const role = item.slice(at + 1).trim() as MappedRole;
    if (at < 1 || !group || !ROLE_ORDER.includes(role)) {
      problems.push(`WHYWIKI_ROLE_MAP lists group=role pairs such as "wiki-admins=admin,epic-analysts=editor" (roles: ${ROLE_ORDER.join(', ')}); "${item}" is not one`);
    } else roleMap[group] = role;
  }
  const rawDefault = (env.WHYWIKI_DEFAULT_ROLE?.trim().toLowerCase() || 'reader');
  const defaultRole = rawDefault === 'none' ? null : (rawDefault as MappedRole);
  if (defaultRole !== null && !ROLE_ORDER.includes(defaultRole)) problems.push(`WHYWIKI_DEFAULT_ROLE must be one of ${ROLE_ORDER.join(', ')} or none (got "${env.WHYWIKI_DEFAULT_ROLE}")`);
  const out: AuthConfig = { mode, roleMap, defaultRole };

  if (mode === 'oidc') {
    const issuer = env.WHYWIKI_OIDC_ISSUER?.trim();
    const clientId = env.WHYWIKI_OIDC_CLIENT_ID?.trim();
    const clientSecret = env.WHYWIKI_OIDC_CLIENT_SECRET ?? '';
    if (!issuer || !isHttpUrl(issuer)) problems.push(`WHYWIKI_OIDC_ISSUER must be the identity provider's issuer URL (got "${issuer ?? ''}")`);
    else if (new URL(issuer).protocol === 'http:' && !isLoopback(new URL(issuer).hostname)) problems.push('WHYWIKI_OIDC_ISSUER must use https (plain http is allowed only on this machine, for trying things out)');
    if (!clientId) problems.push('WHYWIKI_OIDC_CLIENT_ID must name the client registered for Whywiki at the identity provider');
    if (!clientSecret) problems.push('WHYWIKI_OIDC_CLIENT_SECRET must be set (Whywiki is a confidential client)');
    if (!publicUrl) problems.push('WHYWIKI_PUBLIC_URL must be set with WHYWIKI_AUTH=oidc: the identity provider redirects people back to it');
    out.oidc = {
      issuer: issuer ?? '',
      clientId: clientId ?? '',
      clientSecret,
      roleClaim: env.WHYWIKI_OIDC_ROLE_CLAIM?.trim() || 'groups',
      usernameClaim: env.WHYWIKI_OIDC_USERNAME_CLAIM?.trim() || 'preferred_username',
      scopes: env.WHYWIKI_OIDC_SCOPES?.trim() || 'openid profile email',
    };
  }
  if (mode === 'proxy') {
    if (trusted.length === 0) {
      problems.push('WHYWIKI_TRUSTED_PROXIES must list the reverse proxy addresses (such as 10.0.0.5 or 10.0.0.0/24) with WHYWIKI_AUTH=proxy: without it anyone could send the user header');
    }
    out.proxy = {
      userHeader: (env.WHYWIKI_PROXY_USER_HEADER?.trim() || 'x-remote-user').toLowerCase(),
      rolesHeader: env.WHYWIKI_PROXY_GROUPS_HEADER?.trim().toLowerCase() || undefined,
      trusted,
    };
  }
  return out;
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
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
