/**
 * NATS JWTs (v2, alg ed25519-nkey), encoded here rather than with @nats-io/jwt so signing uses
 * node:crypto (see nkey.ts). The layout is the library's: header {typ, alg}, claims with
 * jti/iat/iss/sub/name and a `nats` object carrying `type` and `version: 2`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { base32Encode, type NKey } from './nkey.js';

export interface JwtClaims {
  sub: string;
  name: string;
  exp?: number;
  nats: Record<string, unknown> & { type: string };
}

export interface EncodeOptions {
  /**
   * 'unique': a fresh jti and the current iat, so two pushes never carry the same token. The
   * server ignores a re-pushed identical account JWT, and an account deleted earlier stays dead
   * (trap (c) of docs/drivers/nats.md); a different token revives it.
   * 'stable': no iat and a jti hashed from the claims, so the same inputs give the same token
   * (user credentials handed out twice must be identical).
   */
  identity: 'unique' | 'stable';
}

const HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' })).toString('base64url');

export function encodeJwt(claims: JwtClaims, signer: NKey, options: EncodeOptions): string {
  const body: Record<string, unknown> = { aud: 'NATS', ...claims, iss: signer.publicKey, nats: { ...claims.nats, version: 2 } };
  if (options.identity === 'unique') {
    body.iat = Math.floor(Date.now() / 1000);
    body.jti = base32Encode(randomBytes(20));
  } else {
    body.jti = base32Encode(createHash('sha256').update(JSON.stringify(body)).digest());
  }
  const payload = `${HEADER}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
  return `${payload}.${signer.sign(payload).toString('base64url')}`;
}

/** The claims of a JWT, without checking its signature (only used on tokens the server gave us). */
export function decodeJwt(token: string): Record<string, unknown> & { sub?: string; name?: string; nats?: Record<string, unknown> } {
  const body = token.trim().split('.')[1];
  if (!body) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The standard .creds file text (what `nsc generate creds` writes and nats clients read). */
export function formatCreds(userJwt: string, userSeed: string): string {
  return `-----BEGIN NATS USER JWT-----
${userJwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${userSeed}
------END USER NKEY SEED------

*************************************************************
`;
}

/** The JWT and seed of a .creds text; throws (without echoing the text) when malformed. */
export function parseCreds(text: string): { jwt: string; seed: string } {
  const blocks = [...text.matchAll(/-{3,}[^\n]*-{3,}\r?\n([^\n-][^\n]*)\r?\n-{3,}[^\n]*-{3,}/g)].map((m) => m[1]!.trim());
  const [jwt, seed] = blocks;
  if (!jwt || !seed || !seed.startsWith('SU')) throw new Error('not a NATS .creds text (a user JWT block and a user seed block)');
  return { jwt, seed };
}
