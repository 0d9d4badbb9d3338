import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DriverError } from '@paved/model';
import { wrapPgError } from './pg-errors.js';

/**
 * Connects with the issued credentials to the issued database and does a write + read round
 * trip inside a transaction that is rolled back, so it proves the role may create and write
 * without leaving anything in the tenant's database.
 */
export async function verifyCredentials(outputs: Record<string, string>, signal?: AbortSignal): Promise<void> {
  const { host, port, database, username, password } = outputs;
  if (!host || !port || !database || !username || !password) {
    throw new DriverError('postgres: verify needs host, port, database, username and password outputs', {
      code: 'outputs_missing',
      retryable: false,
      issues: [{ path: 'outputs', message: 'host, port, database, username and password are required' }],
    });
  }
  signal?.throwIfAborted();
  const client = new pg.Client({ host, port: Number(port), database, user: username, password, connectionTimeoutMillis: 10_000 });
  // A terminated session emits 'error' on the client; without a listener it would crash us.
  client.on('error', () => {});
  const onAbort = () => void client.end().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const probe = randomBytes(8).toString('hex');
    await client.query('BEGIN');
    await client.query('CREATE TABLE IF NOT EXISTS paved_verify (probe text NOT NULL)');
    await client.query('INSERT INTO paved_verify (probe) VALUES ($1)', [probe]);
    const { rows } = await client.query<{ probe: string }>('SELECT probe FROM paved_verify WHERE probe = $1', [probe]);
    await client.query('ROLLBACK');
    if (rows[0]?.probe !== probe) throw new DriverError(`postgres: verify read back something else in database "${database}"`);
  } catch (error) {
    throw wrapPgError(error, 'verify', database, [password]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => {});
  }
}
