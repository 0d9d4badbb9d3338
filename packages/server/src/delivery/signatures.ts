import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook authentication, each comparison in constant time.
 *
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, over the exact
 * bytes received (a parsed-and-reserialised body would not match).
 * GitLab: `X-Gitlab-Token` is the secret token itself; both sides are hashed first so the
 * comparison takes the same time whatever the lengths.
 */

const GITHUB_SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

export function githubSignatureValid(header: string | undefined, rawBody: Buffer, secrets: readonly string[]): boolean {
  const match = header === undefined ? null : GITHUB_SIGNATURE.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  let valid = false;
  // Every candidate is computed, so the time does not say which (if any) matched.
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    valid = timingSafeEqual(expected, given) || valid;
  }
  return valid;
}

export function gitlabTokenValid(header: string | undefined, tokens: readonly string[]): boolean {
  if (header === undefined || header === '') return false;
  const given = createHash('sha256').update(header, 'utf8').digest();
  let valid = false;
  for (const token of tokens) valid = timingSafeEqual(createHash('sha256').update(token, 'utf8').digest(), given) || valid;
  return valid;
}
