/**
 * NATS nkeys (ed25519 keys in NATS's base32 + CRC16 text form), signed with node:crypto.
 * @nats-io/nkeys signs with tweetnacl in pure JS (≈ 4.5 ms per signature, ≈ 20 ms per JWT as
 * measured in docs/drivers/nats.md, trap (e)); node:crypto signs the same bytes in ≈ 0.04 ms.
 * Ed25519 is deterministic, so the signatures are byte-for-byte those of nkeys (nkey.test.ts
 * proves it).
 */
import { createHmac, createPrivateKey, createPublicKey, sign as edSign, type KeyObject } from 'node:crypto';

export type KeyRole = 'operator' | 'account' | 'user';

const ROLE_PREFIX: Record<KeyRole, number> = { operator: 14 << 3, account: 0, user: 20 << 3 };
const SEED_PREFIX = 18 << 3;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// PKCS#8 wrapping of a raw 32-byte ed25519 seed (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface NKey {
  role: KeyRole;
  /** The public key in NATS text form ('O…', 'A…', 'U…'). */
  publicKey: string;
  /** The seed in NATS text form ('SO…', 'SA…', 'SU…'). Secret. */
  seed: string;
  sign(data: Uint8Array | string): Buffer;
}

/** The key whose raw ed25519 seed is `raw` (32 bytes). */
export function nkeyFromRaw(role: KeyRole, raw: Uint8Array): NKey {
  if (raw.length !== 32) throw new Error(`an nkey seed needs 32 bytes, got ${raw.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string };
  const publicRaw = Buffer.from(jwk.x, 'base64url');
  const prefix = ROLE_PREFIX[role];
  return {
    role,
    publicKey: encodeWithCrc(Buffer.concat([Buffer.from([prefix]), publicRaw])),
    seed: encodeWithCrc(Buffer.concat([Buffer.from([SEED_PREFIX | (prefix >> 5), (prefix & 31) << 3]), raw])),
    sign: (data) => signWith(privateKey, data),
  };
}

/** The key of a seed in NATS text form ('SO…'); throws on a malformed seed without echoing it. */
export function nkeyFromSeed(seed: string): NKey {
  const raw = decodeWithCrc(seed);
  if (raw === undefined || raw.length !== 34 || (raw[0]! & 0xf8) !== SEED_PREFIX) throw new Error('not a valid nkey seed');
  const prefix = ((raw[0]! & 7) << 5) | ((raw[1]! & 0xf8) >> 3);
  const role = (Object.keys(ROLE_PREFIX) as KeyRole[]).find((r) => ROLE_PREFIX[r] === prefix);
  if (!role) throw new Error('nkey seed is not an operator, account or user seed');
  return nkeyFromRaw(role, raw.subarray(2));
}

/** A key derived from `secret` for `purpose`: the same inputs always give the same key. */
export function deriveNKey(role: KeyRole, secret: Uint8Array | string, purpose: string): NKey {
  return nkeyFromRaw(role, createHmac('sha256', secret).update(`paved-nats:${purpose}`).digest());
}

function signWith(key: KeyObject, data: Uint8Array | string): Buffer {
  return edSign(null, typeof data === 'string' ? Buffer.from(data) : data, key);
}

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Buffer | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return undefined;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function encodeWithCrc(payload: Buffer): string {
  const crc = crc16(payload);
  return base32Encode(Buffer.concat([payload, Buffer.from([crc & 0xff, crc >> 8])]));
}

function decodeWithCrc(text: string): Buffer | undefined {
  const raw = base32Decode(text.trim());
  if (!raw || raw.length < 3) return undefined;
  const payload = raw.subarray(0, raw.length - 2);
  const crc = raw[raw.length - 2]! | (raw[raw.length - 1]! << 8);
  return crc16(payload) === crc ? payload : undefined;
}

/** CRC-16/XMODEM, as nkeys uses. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
