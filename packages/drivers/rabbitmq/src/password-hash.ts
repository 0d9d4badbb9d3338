import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The only algorithm this driver sends; RabbitMQ's default since 3.6. */
export const HASHING_ALGORITHM = 'rabbit_password_hashing_sha256';

/**
 * RabbitMQ's stored password form: base64(salt4 ‖ sha256(salt4 ‖ utf8(password))). Sending it
 * (PUT /api/users with password_hash) means the plaintext never reaches the broker, its logs or
 * its definitions export.
 */
export function rabbitPasswordHash(password: string, salt: Buffer = randomBytes(4)): string {
  if (salt.length !== 4) throw new Error('rabbitPasswordHash: the salt is 4 bytes');
  const digest = createHash('sha256').update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/** Whether `hash` (as GET /api/users returns it) is `password` hashed with sha256. */
export function passwordMatches(password: string, hash: string): boolean {
  const raw = Buffer.from(hash, 'base64');
  if (raw.length !== 36) return false;
  const expected = Buffer.from(rabbitPasswordHash(password, raw.subarray(0, 4)), 'base64');
  return timingSafeEqual(raw, expected);
}
