import { hash, randomBytes } from 'node:crypto';

/**
 * API tokens: `pvd_` + 32 random bytes in base64url. Only the sha256 hex of a token is stored,
 * so a leaked database does not leak usable tokens; the token itself is shown once.
 */
export const TOKEN_PREFIX = 'pvd_';
const TOKEN_RE = /^pvd_[A-Za-z0-9_-]{43}$/;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Once per authenticated request: crypto.hash, one call, takes half the time of a Hash object's three. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_RE.test(token);
}
