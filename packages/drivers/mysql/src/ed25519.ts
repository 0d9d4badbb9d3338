/**
 * MariaDB's ed25519 with a password for a key: Ed25519 (RFC 8032) whose expanded secret key is
 * SHA-512 of the password itself, of any length, instead of SHA-512 of a 32-byte seed. So
 * node:crypto's Ed25519 keys cannot express it (its keys are seeds), and the curve arithmetic is
 * @noble/ed25519's: audited, dependency-free, with precomputed tables for the base point.
 *
 * Both sides of a login are here: the public key the server stores (`IDENTIFIED VIA ed25519
 * USING …`) and the signature of the server's challenge a client sends (`client_ed25519`). The
 * signature is deterministic, so it is byte for byte what MariaDB's own client and its Node port
 * send (ed25519.test.ts); it is computed here because that port does the arithmetic in plain
 * JavaScript, which took 10–30 ms of every contract check run's login at load 6–11, against
 * 0.5–0.8 ms here (bench/README.md §1, round 3).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Noble from '@noble/ed25519';

const require = createRequire(import.meta.url);
let noble: typeof Noble | undefined;
/** @noble/ed25519, loaded on first use: most Paveds never reach MySQL (bench/footprint.mjs). Node ≥ 20.19 requires an ES module. */
const ed25519Point = (): typeof Noble.Point => (noble ??= require('@noble/ed25519') as typeof Noble).Point;

/** A little-endian byte string as a number. */
function littleEndian(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);
}

/** `n` (< 2^256) as 32 little-endian bytes. */
function toLittleEndian32(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
}

const sha512 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

interface ExpandedKey {
  /** The clamped secret scalar, reduced modulo the group order (the base point has that order, so the product is the same). */
  scalar: bigint;
  /** The second half of the hash: keys the deterministic nonce. */
  prefix: Buffer;
  /** scalar × base point, encoded as RFC 8032 says. */
  publicKey: Uint8Array;
}

function expandedKey(password: string): ExpandedKey {
  const digest = sha512(Buffer.from(password, 'utf8'));
  const clamped = Buffer.from(digest.subarray(0, 32));
  clamped[0]! &= 248;
  clamped[31]! &= 127;
  clamped[31]! |= 64;
  const Point = ed25519Point();
  const scalar = littleEndian(clamped) % Point.CURVE().n;
  return { scalar, prefix: digest.subarray(32), publicKey: Point.BASE.multiply(scalar).toBytes() };
}

/** What `mysql.user.authentication_string` holds for an ed25519 login: the public key, base64 without padding. */
export function ed25519PublicKey(password: string): string {
  return Buffer.from(expandedKey(password).publicKey).toString('base64').replace(/=+$/, '');
}

/** The 64-byte signature R ‖ S of `message` (the server's 32-byte challenge) that `client_ed25519` answers with. */
export function ed25519Signature(password: string, message: Uint8Array): Buffer {
  const Point = ed25519Point();
  const order = Point.CURVE().n;
  const { scalar, prefix, publicKey } = expandedKey(password);
  const nonce = littleEndian(sha512(prefix, message)) % order;
  // A zero nonce (probability 2^-252) has no point to multiply by; the zero point's encoding is y = 1.
  const commitment = nonce === 0n ? toLittleEndian32(1n) : Buffer.from(Point.BASE.multiply(nonce).toBytes());
  const challenge = littleEndian(sha512(commitment, publicKey, message)) % order;
  return Buffer.concat([commitment, toLittleEndian32((nonce + challenge * scalar) % order)]);
}
