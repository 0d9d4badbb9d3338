import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

const ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 / RFC 7677), computed
 * here so that `CREATE/ALTER ROLE … PASSWORD '<verifier>'` never carries the plaintext: a failed
 * statement is written to the server log in full, and the log must not hold a password.
 * Format: `SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>`.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  // PostgreSQL runs SASLprep on the password; for ASCII (our hex secrets) that is the identity,
  // and NFKC is the normalisation step of SASLprep for the rest.
  return verifierOf(pbkdf2Sync(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256'), salt);
}

/**
 * scramVerifier on libuv's thread pool: its 4,096 iterations take about 0.8 ms, which a create
 * spends beside its CREATE DATABASE instead of on the event loop the API shares.
 */
export async function scramVerifierAsync(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  return verifierOf(await pbkdf2Async(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256'), salt);
}

function verifierOf(salted: Buffer, salt: Buffer): string {
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest('base64');
  const serverKey = createHmac('sha256', salted).update('Server Key').digest('base64');
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey}:${serverKey}`;
}
