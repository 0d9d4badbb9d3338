import type { FieldIssue } from '@paved/model';
import {
  DEFAULT_GROUP_PATTERN, DEFAULT_SESSION_TTL_MS, MAX_SESSION_TTL_MS, isLoopbackUrl, parseGroupPattern, type OidcSettings,
} from '@paved/server';

const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** How config.ts reads a variable: its value, or undefined when unset or empty. */
type Read = (name: string) => string | undefined;

/**
 * PAVED_OIDC_*: sign-in with an identity provider, off unless PAVED_OIDC_ISSUER is set. Every
 * problem is added to `issues`, naming its variable (docs/sign-in.md lists them all).
 */
export function loadOidcSettings(read: Read, listen: { host: string; port: number }, issues: FieldIssue[]): OidcSettings | undefined {
  const issuerText = read('PAVED_OIDC_ISSUER');
  if (issuerText === undefined) {
    const stray = ['PAVED_OIDC_CLIENT_ID', 'PAVED_OIDC_CLIENT_SECRET', 'PAVED_OIDC_ADMIN_GROUP', 'PAVED_OIDC_ALLOWED_DOMAINS'].filter((name) => read(name) !== undefined);
    for (const name of stray) issues.push({ path: name, message: 'is set but PAVED_OIDC_ISSUER is not: sign-in with an identity provider is off' });
    return undefined;
  }
  const issuer = url('PAVED_OIDC_ISSUER', issuerText, issues);
  if (issuer && issuer.protocol === 'http:' && !isLoopbackUrl(issuer)) {
    issues.push({ path: 'PAVED_OIDC_ISSUER', message: 'must be https:// (http:// only for a provider on this machine: 127.0.0.1, localhost, [::1])' });
  }
  const clientId = read('PAVED_OIDC_CLIENT_ID');
  if (clientId === undefined) issues.push({ path: 'PAVED_OIDC_CLIENT_ID', message: 'is required with PAVED_OIDC_ISSUER: the client id registered at the provider' });

  const scopes = (read('PAVED_OIDC_SCOPES') ?? 'openid profile email').split(/[\s,]+/).filter(Boolean);
  if (!scopes.includes('openid')) issues.push({ path: 'PAVED_OIDC_SCOPES', message: 'must include openid' });

  const patternText = read('PAVED_OIDC_GROUP_PATTERN') ?? DEFAULT_GROUP_PATTERN;
  const groupPattern = parseGroupPattern(patternText);
  if (typeof groupPattern === 'string') issues.push({ path: 'PAVED_OIDC_GROUP_PATTERN', message: groupPattern });

  const domains = read('PAVED_OIDC_ALLOWED_DOMAINS')?.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  for (const domain of domains ?? []) {
    if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain)) issues.push({ path: 'PAVED_OIDC_ALLOWED_DOMAINS', message: `"${domain}" is not a domain name` });
  }

  const ttlText = read('PAVED_OIDC_SESSION_TTL');
  const ttl = ttlText === undefined ? DEFAULT_SESSION_TTL_MS : durationMs(ttlText);
  if (ttl === undefined || ttl < 60_000 || ttl > MAX_SESSION_TTL_MS) {
    issues.push({ path: 'PAVED_OIDC_SESSION_TTL', message: `must be a duration from 1m to ${MAX_SESSION_TTL_MS / 3_600_000}h, such as 12h (got "${ttlText}")` });
  }

  const redirectUri = redirect(read('PAVED_OIDC_REDIRECT_URI'), listen, issues);
  if (!issuer || clientId === undefined || typeof groupPattern === 'string' || ttl === undefined || redirectUri === undefined) return undefined;
  const secret = read('PAVED_OIDC_CLIENT_SECRET');
  const adminGroup = read('PAVED_OIDC_ADMIN_GROUP');
  return Object.freeze({
    // As written: the provider's `iss` must match it exactly (some end with a slash, most do not).
    issuer: issuerText,
    clientId,
    ...(secret === undefined ? {} : { clientSecret: secret }),
    scopes: Object.freeze(scopes),
    redirectUri,
    usernameClaim: read('PAVED_OIDC_USERNAME_CLAIM') ?? 'preferred_username',
    groupsClaim: read('PAVED_OIDC_GROUPS_CLAIM') ?? 'groups',
    groupPattern,
    ...(adminGroup === undefined ? {} : { adminGroup }),
    ...(domains === undefined ? {} : { allowedDomains: Object.freeze(domains) }),
    sessionTtlMs: ttl,
  });
}

/** Paved's callback: as configured, else from where it listens (not a wildcard address, not port 0). */
function redirect(configured: string | undefined, listen: { host: string; port: number }, issues: FieldIssue[]): string | undefined {
  if (configured !== undefined) {
    const parsed = url('PAVED_OIDC_REDIRECT_URI', configured, issues);
    if (parsed && !parsed.pathname.endsWith(CALLBACK_PATH)) issues.push({ path: 'PAVED_OIDC_REDIRECT_URI', message: `must end with ${CALLBACK_PATH}` });
    return parsed?.href;
  }
  if (['0.0.0.0', '::', ''].includes(listen.host) || listen.port === 0) {
    issues.push({ path: 'PAVED_OIDC_REDIRECT_URI', message: `is required when Paved listens on a wildcard address or port 0: the public URL of ${CALLBACK_PATH}` });
    return undefined;
  }
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `http://${host}:${listen.port}${CALLBACK_PATH}`;
}

function url(name: string, text: string, issues: FieldIssue[]): URL | undefined {
  try {
    const parsed = new URL(text);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return parsed;
  } catch {
    // reported below
  }
  issues.push({ path: name, message: `must be an http(s) URL (got "${text}")` });
  return undefined;
}

function durationMs(text: string): number | undefined {
  const match = /^(\d+)(m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}
