import { createHash } from 'node:crypto';

/**
 * The mysql_native_password hash of a password: '*' + upper hex of SHA1(SHA1(password)).
 * Sent as `IDENTIFIED BY PASSWORD '<hash>'`, so the plaintext never reaches the server (nor its
 * general or slow log, nor SHOW PROCESSLIST), and observe can compare it with mysql.user.
 */
export function nativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}
