/**
 * How Paved signs people in with an identity provider (docs/sign-in.md). Read from the
 * environment once by the composition root (PAVED_OIDC_*), validated there, handed in here.
 */
export interface OidcSettings {
  /** The issuer URL; https, or http on a loopback address (a provider on this machine). */
  issuer: string;
  clientId: string;
  /** Absent: a public client, protected by PKCE alone. */
  clientSecret?: string;
  /** Always includes `openid`. */
  scopes: readonly string[];
  /** Paved's callback as registered with the provider: …/api/v1/auth/oidc/callback. */
  redirectUri: string;
  /** The claim that names a new user (an email address gives its local part). */
  usernameClaim: string;
  /** The claim with the user's groups: an array of strings. */
  groupsClaim: string;
  /** Matches a group that means a team membership, with named groups `team` and `role`. */
  groupPattern: RegExp;
  /** Members of this group are platform admins; absent: sign-in never changes who is an admin. */
  adminGroup?: string;
  /** Only users with a verified email address in one of these domains may sign in; absent: anyone the provider signs in. */
  allowedDomains?: readonly string[];
  /** How long a sign-in session (its API token) lasts. */
  sessionTtlMs: number;
}

export const DEFAULT_GROUP_PATTERN = '^paved:(?<team>[a-z][a-z0-9-]*):(?<role>owner|member|viewer)$';
export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
export const MAX_SESSION_TTL_MS = 7 * 24 * 3_600_000;

/** The pattern as a RegExp, or why it cannot be one (invalid, or without the named groups `team` and `role`). */
export function parseGroupPattern(source: string): RegExp | string {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, 'u');
  } catch (error) {
    return `is not a regular expression: ${(error as Error).message}`;
  }
  const missing = ['team', 'role'].filter((name) => !source.includes(`(?<${name}>`));
  return missing.length === 0 ? pattern : `must capture named groups ${missing.map((m) => `(?<${m}>…)`).join(' and ')}`;
}

/** Whether an http:// issuer is allowed: only on this machine, never across a network. */
export function isLoopbackUrl(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
